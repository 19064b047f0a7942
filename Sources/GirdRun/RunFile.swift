import Foundation

/// `run.json` whole: the specification (what ran), the layers its loss
/// terms read, where it started, and where each resumed part ran.
public struct RunFile: Equatable, Sendable {
    public var specification: RunSpecification
    /// The layers each loss term read, in term order, as resolved when the
    /// run started: a term whose taps are the method's default (`none`)
    /// records the names the default gave for these networks. Nil for a
    /// training without a teacher, and in files written before it existed.
    public var taps: [TermTaps]?
    /// Nil for a run written before environments were recorded.
    public var environment: RunEnvironment?
    public var resumes: [RunEnvironment] = []

    /// The student's and the teacher's layers one term read.
    public struct TermTaps: Codable, Equatable, Sendable {
        public var method: String
        public var student: [String]
        public var teacher: [String]

        public init(method: String, student: [String], teacher: [String]) {
            self.method = method
            self.student = student
            self.teacher = teacher
        }
    }

    public init(specification: RunSpecification, taps: [TermTaps]? = nil, environment: RunEnvironment?,
                resumes: [RunEnvironment] = []) {
        self.specification = specification
        self.taps = taps
        self.environment = environment
        self.resumes = resumes
    }
}

extension RunFile: Codable {
    private enum Keys: String, CodingKey { case environment, resumes, taps = "resolved_taps" }

    // The specification's fields stay at the top level, as version 1 had them.
    public func encode(to encoder: Encoder) throws {
        try specification.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(environment, forKey: .environment)
        try container.encodeIfPresent(taps, forKey: .taps)
        if !resumes.isEmpty { try container.encode(resumes, forKey: .resumes) }
    }

    public init(from decoder: Decoder) throws {
        specification = try RunSpecification(from: decoder)
        let container = try decoder.container(keyedBy: Keys.self)
        environment = try container.decodeIfPresent(RunEnvironment.self, forKey: .environment)
        taps = try container.decodeIfPresent([TermTaps].self, forKey: .taps)
        resumes = try container.decodeIfPresent([RunEnvironment].self, forKey: .resumes) ?? []
    }

    /// Reads `directory/run.json`.
    public static func read(from directory: String) throws -> RunFile {
        let path = directory + "/" + RunSpecification.fileName
        guard let data = FileManager.default.contents(atPath: path) else { throw RunError.notARunDirectory(path: path) }
        do {
            return try JSONDecoder().decode(RunFile.self, from: data)
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError.unreadable(path: path, reason: RunFile.describe(error))
        }
    }

    public func write(to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try RunDirectory.writeAtomically(try encoder.encode(self), to: directory + "/" + RunSpecification.fileName)
    }

    /// A decoding error as a person reads it: the field's path and what was wrong.
    static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context):
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? context.debugDescription : "field '\(path(context.codingPath))': \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
