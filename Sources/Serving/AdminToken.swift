import Foundation
import TrafficPolicies

/// The bearer token admin endpoints require, compared in constant time (``TokenCheck``, as
/// the dashboard's write token is).
public struct AdminToken: Sendable {
    private let token: String

    /// `token` with surrounding whitespace removed (token files often end in a newline);
    /// nil when nothing is left.
    public init?(_ token: String) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        self.token = trimmed
    }

    enum Check: Equatable {
        case accepted, missing, wrong
    }

    /// Checks an `Authorization` header value.
    func check(authorization: String?) -> Check {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return .missing }
        return TokenCheck.matches(String(authorization.dropFirst(7)), token) ? .accepted : .wrong
    }
}
