/// Parses repeatable `key=value` options such as `--tag team=vision`; a later key wins.
enum KeyValueOption {
    static func parse(_ pairs: [String], option: String) throws -> [String: String] {
        try Dictionary(pairs.map { pair in
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CLIError(message: "\(option) \(pair): expected key=value")
            }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }) { _, last in last }
    }
}
