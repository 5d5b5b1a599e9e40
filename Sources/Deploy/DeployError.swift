/// A deployment option or input that cannot produce a working job; names the option at fault.
public struct DeployError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The option or argument at fault, as the user typed it (`--nodes`, `CONFIG`).
    public var option: String
    /// What is wrong and, where it helps, what would be accepted.
    public var reason: String

    public init(option: String, reason: String) {
        self.option = option
        self.reason = reason
    }

    public var description: String { "\(option): \(reason)" }
}
