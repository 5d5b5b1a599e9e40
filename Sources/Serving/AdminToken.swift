import Crypto
import Foundation

/// The bearer token admin endpoints require. Comparison is constant-time: both sides are
/// hashed to 32 bytes and every byte is compared, so timing reveals neither the token's
/// length nor how much of a guess was right.
public struct AdminToken: Sendable {
    private let digest: [UInt8]

    /// `token` with surrounding whitespace removed (token files often end in a newline);
    /// nil when nothing is left.
    public init?(_ token: String) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        digest = Array(SHA256.hash(data: Data(trimmed.utf8)))
    }

    enum Check: Equatable {
        case accepted, missing, wrong
    }

    /// Checks an `Authorization` header value.
    func check(authorization: String?) -> Check {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else { return .missing }
        let offered = Array(SHA256.hash(data: Data(authorization.dropFirst(7).utf8)))
        var difference: UInt8 = 0
        for i in 0..<digest.count { difference |= digest[i] ^ offered[i] }
        return difference == 0 ? .accepted : .wrong
    }
}
