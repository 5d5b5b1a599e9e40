import Foundation

/// Compares secrets without an early exit, so that the time taken does not tell an attacker
/// how many leading bytes of a guessed token were right.
public enum TokenCheck {
    /// Whether `presented` equals `expected`. The loop always runs over every byte of
    /// `expected` and folds differences with XOR/OR, so its time depends only on the length
    /// of the expected token, not on where the inputs differ. An empty `expected` matches nothing.
    public static func matches(_ presented: String, _ expected: String) -> Bool {
        let given = Array(presented.utf8), secret = Array(expected.utf8)
        guard !secret.isEmpty else { return false }
        var difference: UInt8 = given.count == secret.count ? 0 : 1
        for index in secret.indices {
            let byte = index < given.count ? given[index] : 0
            difference |= byte ^ secret[index]
        }
        return difference == 0
    }

    /// Whether an `Authorization` header value is `Bearer <token>` with the expected token
    /// (scheme case-insensitive, as RFC 6750 allows). A missing header matches nothing.
    public static func bearerMatches(authorization: String?, token: String) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return matches(parts[1].trimmingCharacters(in: .whitespaces), token)
    }
}
