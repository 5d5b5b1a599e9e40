/// Names that schedulers accept, derived from an experiment name.
enum Naming {
    /// A Slurm job name: letters, digits, `.`, `_` and `-`; anything else becomes `-`.
    static func slurmJobName(_ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "-" })
        return cleaned.isEmpty ? "ringmaster" : cleaned
    }

    /// A Kubernetes object name (RFC 1123 label): lowercase letters, digits and `-`, starting
    /// and ending with an alphanumeric, short enough that the operator's pod names
    /// (`NAME-launcher`, `NAME-worker-12`) stay within 63 characters.
    static func kubernetesName(_ name: String) -> String {
        var cleaned = String(name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        cleaned = String(cleaned.prefix(40))
        while cleaned.hasPrefix("-") { cleaned.removeFirst() }
        while cleaned.hasSuffix("-") { cleaned.removeLast() }
        return cleaned.isEmpty ? "ringmaster" : cleaned
    }

    /// `text` as one single-quoted shell word.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
