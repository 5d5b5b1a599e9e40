extension RunFilter {
    /// The fields the filter mentions, each once, in the order they first appear; lets a
    /// listing show the columns a search was about.
    public var fields: [RunField] {
        var seen: Set<RunField> = []
        var ordered: [RunField] = []
        func visit(_ filter: RunFilter) {
            switch filter {
            case .comparison(let field, _, _), .membership(let field, _, _):
                if seen.insert(field).inserted { ordered.append(field) }
            case .and(let a, let b), .or(let a, let b):
                visit(a)
                visit(b)
            }
        }
        visit(self)
        return ordered
    }
}
