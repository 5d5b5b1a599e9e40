import Hummingbird

/// A request the server refuses, with the HTTP status and a message for the client; each
/// protocol renders it in its own error format.
public struct ServingError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    static func badRequest(_ message: String) -> ServingError { ServingError(.badRequest, message) }
    static func notFound(_ message: String) -> ServingError { ServingError(.notFound, message) }
}

/// Loading a new version failed; the server keeps serving the old one.
public struct ModelLoadError: Error, Sendable, CustomStringConvertible {
    public var reference: String
    public var message: String
    public var description: String {
        message.hasPrefix("\(reference):") || reference.isEmpty ? message : "\(reference): \(message)"
    }
}
