/// A distillation that cannot work as configured, reported when it is set
/// up (before the first step), or a step whose inputs do not fit.
public enum DistillationError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(message): return message
        }
    }
}

extension DistillationError {
    /// `name` must be a positive finite number (a temperature, a margin).
    static func requirePositive(_ value: Float, _ name: String, method: String) throws {
        guard value > 0, value.isFinite else {
            throw DistillationError.invalidConfiguration("\(method): \(name) must be a positive number, got \(value)")
        }
    }

    /// `name` must be finite and not negative (a weight).
    static func requireNonNegative(_ value: Float, _ name: String, method: String) throws {
        guard value >= 0, value.isFinite else {
            throw DistillationError.invalidConfiguration("\(method): \(name) must be zero or more, got \(value)")
        }
    }
}
