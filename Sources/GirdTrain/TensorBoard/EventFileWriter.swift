import Foundation

/// An `events.out.tfevents.*` file, as TensorBoard and tbparse read it: a
/// version record, then one record per logged step. Appends go to the
/// operating system at once (each `write` is a whole record), so a crash
/// loses at most the record being written, and TensorBoard shows a live
/// run while it trains.
///
///     let events = try EventFileWriter(directory: "runs/kd")
///     try events.write(step: 100, values: [.scalar(tag: "loss/total", value: 1.25)])
public final class EventFileWriter {
    public static let fileVersion = "brain.Event:2"
    public let path: String
    private let handle: FileHandle

    /// A new file in `directory` (created if missing), named as TensorFlow
    /// names them: time, host and process, so that a resumed run adds a
    /// file beside the first instead of overwriting it.
    public init(directory: String, wallTime: Double = Date().timeIntervalSince1970) throws {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        let stem = "\(directory)/events.out.tfevents.\(Int(wallTime)).\(host).\(getpid())"
        var candidate = stem, suffix = 0
        while FileManager.default.fileExists(atPath: candidate) {
            suffix += 1
            candidate = "\(stem).\(suffix)"
        }
        path = candidate
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TensorBoardError.cannotWrite(path: path, reason: "the file could not be created")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } catch let error as TensorBoardError {
            throw error
        } catch {
            throw TensorBoardError.cannotWrite(path: path, reason: error.localizedDescription)
        }
        try append(SummaryEvent(wallTime: wallTime, step: 0, fileVersion: Self.fileVersion))
    }

    deinit { try? handle.close() }

    public func write(step: Int, values: [SummaryValue], wallTime: Double = Date().timeIntervalSince1970) throws {
        guard !values.isEmpty else { return }
        try append(SummaryEvent(wallTime: wallTime, step: step, values: values))
    }

    private func append(_ event: SummaryEvent) throws {
        do {
            try handle.write(contentsOf: TFRecord.frame(event.encoded()))
        } catch {
            throw TensorBoardError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }

    /// Every event of a file, checked record by record (tests, tools).
    public static func read(_ path: String) throws -> [SummaryEvent] {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw TensorBoardError.malformed(path: path, offset: 0, reason: error.localizedDescription)
        }
        var offset = 0
        return try TFRecord.records(in: bytes, path: path).map { record in
            defer { offset += record.count + 16 }
            guard let event = SummaryEvent(decoding: record) else {
                throw TensorBoardError.malformed(path: path, offset: offset, reason: "the record is not an Event message")
            }
            return event
        }
    }

    /// The event files of a run directory, oldest first.
    public static func files(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { directory + "/" + $0 }
    }
}
