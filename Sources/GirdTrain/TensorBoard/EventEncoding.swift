import CTensorBoardProto
import Foundation

/// One value of a summary: a scalar, or an image (a PNG file).
public enum SummaryValue: Equatable, Sendable {
    case scalar(tag: String, value: Float)
    case image(tag: String, png: [UInt8], height: Int, width: Int, channels: Int)

    public var tag: String {
        switch self {
        case .scalar(let tag, _), .image(let tag, _, _, _, _): return tag
        }
    }
}

/// One `Event` record as TensorBoard reads it: a wall time, a step, and
/// either the file's version line or a summary of values. Encoded and
/// decoded with protobuf-c over the schema in
/// `Sources/CTensorBoardProto/tensorboard_event.proto`.
public struct SummaryEvent: Equatable, Sendable {
    public var wallTime: Double
    public var step: Int
    /// Set on the first record of a file only (`brain.Event:2`).
    public var fileVersion: String?
    public var values: [SummaryValue]

    public init(wallTime: Double, step: Int, fileVersion: String? = nil, values: [SummaryValue] = []) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.values = values
    }

    /// The protobuf encoding. The C structs point into memory this call
    /// allocates and frees; protobuf-c only reads them while packing.
    public func encoded() -> [UInt8] {
        var event = Tensorboard__Event()
        tensorboard__event__init(&event)
        event.wall_time = wallTime
        event.step = Int64(step)
        var allocations: [UnsafeMutableRawPointer] = []
        defer { allocations.forEach { free($0) } }
        func copy(_ string: String) -> UnsafeMutablePointer<CChar> {
            let pointer = strdup(string)!
            allocations.append(pointer)
            return pointer
        }
        func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
            let pointer = malloc(max(1, count) * MemoryLayout<T>.stride)!.bindMemory(to: T.self, capacity: max(1, count))
            allocations.append(UnsafeMutableRawPointer(pointer))
            return pointer
        }
        if let fileVersion {
            event.what_case = TENSORBOARD__EVENT__WHAT_FILE_VERSION
            event.file_version = copy(fileVersion)
        } else {
            let summary = allocate(Tensorboard__Summary.self, count: 1)
            tensorboard__summary__init(summary)
            let slots = allocate(Optional<UnsafeMutablePointer<Tensorboard__Summary__Value>>.self, count: values.count)
            for (index, value) in values.enumerated() {
                let entry = allocate(Tensorboard__Summary__Value.self, count: 1)
                tensorboard__summary__value__init(entry)
                entry.pointee.tag = copy(value.tag)
                switch value {
                case .scalar(_, let number):
                    entry.pointee.value_case = TENSORBOARD__SUMMARY__VALUE__VALUE_SIMPLE_VALUE
                    entry.pointee.simple_value = number
                case .image(_, let png, let height, let width, let channels):
                    let image = allocate(Tensorboard__Summary__Image.self, count: 1)
                    tensorboard__summary__image__init(image)
                    image.pointee.height = Int32(height)
                    image.pointee.width = Int32(width)
                    image.pointee.colorspace = Int32(channels)
                    let bytes = allocate(UInt8.self, count: png.count)
                    bytes.update(from: png, count: png.count)
                    image.pointee.encoded_image_string = ProtobufCBinaryData(len: png.count, data: bytes)
                    entry.pointee.value_case = TENSORBOARD__SUMMARY__VALUE__VALUE_IMAGE
                    entry.pointee.image = image
                }
                slots[index] = entry
            }
            summary.pointee.n_value = values.count
            summary.pointee.value = slots
            event.what_case = TENSORBOARD__EVENT__WHAT_SUMMARY
            event.summary = summary
        }
        let size = tensorboard__event__get_packed_size(&event)
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBufferPointer { tensorboard__event__pack(&event, $0.baseAddress) }
        precondition(written == size, "protobuf-c packed \(written) of \(size) bytes")
        return bytes
    }

    /// Decodes one record; nil when the bytes are not an Event.
    public init?(decoding bytes: [UInt8]) {
        guard let event = bytes.withUnsafeBufferPointer({ tensorboard__event__unpack(nil, $0.count, $0.baseAddress) }) else {
            return nil
        }
        defer { tensorboard__event__free_unpacked(event, nil) }
        wallTime = event.pointee.wall_time
        step = Int(event.pointee.step)
        fileVersion = nil
        values = []
        switch event.pointee.what_case {
        case TENSORBOARD__EVENT__WHAT_FILE_VERSION:
            fileVersion = event.pointee.file_version.map { String(cString: $0) }
        case TENSORBOARD__EVENT__WHAT_SUMMARY:
            guard let summary = event.pointee.summary else { break }
            for index in 0..<summary.pointee.n_value {
                guard let entry = summary.pointee.value[index]?.pointee else { continue }
                let tag = entry.tag.map { String(cString: $0) } ?? ""
                switch entry.value_case {
                case TENSORBOARD__SUMMARY__VALUE__VALUE_SIMPLE_VALUE:
                    values.append(.scalar(tag: tag, value: entry.simple_value))
                case TENSORBOARD__SUMMARY__VALUE__VALUE_IMAGE:
                    guard let image = entry.image?.pointee else { continue }
                    let data = image.encoded_image_string
                    let png = data.len > 0 ? Array(UnsafeBufferPointer(start: data.data, count: data.len)) : []
                    values.append(.image(tag: tag, png: png, height: Int(image.height), width: Int(image.width),
                                         channels: Int(image.colorspace)))
                default:
                    continue
                }
            }
        default:
            break
        }
    }
}
