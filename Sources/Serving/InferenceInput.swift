/// Rows to score as a request sent them, before they meet a particular model version:
/// row-major values and, when the request named its columns, their names.
///
/// Kept apart from the model so that a request that lands on a model being swapped out
/// can be mapped again onto the new version's feature order.
struct InferenceInput: Sendable {
    var rows: Int
    var columns: Int
    /// (rows, columns) row-major.
    var values: [Float]
    /// Column names in `values` order, or nil when the request sent positional rows.
    var names: [String]?

    /// The values as (rows, model inputs) in the model's feature order: positional rows
    /// must have exactly the model's width; named columns must be exactly its features,
    /// in any order.
    func matrix(featureNames: [String]) throws(ServingError) -> [Float] {
        let expected = featureNames.count
        guard let names else {
            guard columns == expected else {
                throw .badRequest("rows have \(columns) values, the model expects \(expected) features")
            }
            return values
        }
        if names == featureNames { return values }
        var position: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard position.updateValue(index, forKey: name) == nil else { throw .badRequest("column '\(name)' appears twice") }
        }
        if let unknown = names.first(where: { !featureNames.contains($0) }) {
            throw .badRequest("unknown column '\(unknown)'; the model's features are \(Self.summary(featureNames))")
        }
        let order = try featureNames.map { name throws(ServingError) -> Int in
            guard let index = position[name] else { throw .badRequest("missing column '\(name)'") }
            return index
        }
        var result = [Float](repeating: 0, count: rows * expected)
        for row in 0..<rows {
            for (j, source) in order.enumerated() { result[row * expected + j] = values[row * columns + source] }
        }
        return result
    }

    static func summary(_ names: [String]) -> String {
        names.count <= 4 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + ", … (\(names.count))"
    }
}

/// Reads one JSON value as a feature value; `field` names it in the error.
func featureValue(_ value: JSONValue, at field: @autoclosure () -> String) throws(ServingError) -> Float {
    guard case .number(let number) = value else {
        throw .badRequest("\(field()) is \(value.kind), expected a number")
    }
    return Float(number)
}
