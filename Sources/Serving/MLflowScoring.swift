import Foundation

/// MLflow's scoring protocol (`POST /invocations`), as `mlflow models serve` speaks it.
///
/// Accepts the four JSON input formats (`dataframe_split`, `dataframe_records`,
/// `instances`, `inputs`); answers `{"predictions": [...]}` with one label (classifiers) or
/// value (regressors) per row, plus `probabilities` and `classes` for classifiers. Errors
/// are `{"error_code": "BAD_REQUEST", "message": "..."}`.
enum MLflowScoring {
    static let formats = ["dataframe_split", "dataframe_records", "instances", "inputs"]

    static func input(from body: JSONValue) throws(ServingError) -> InferenceInput {
        guard case .object(let fields) = body else {
            throw .badRequest("the body must be a JSON object with one of \(formats.joined(separator: ", "))")
        }
        let present = formats.filter { fields[$0] != nil }
        guard present.count == 1, let format = present.first, let value = fields[format] else {
            throw .badRequest(
                present.isEmpty
                    ? "the body has none of \(formats.joined(separator: ", "))"
                    : "the body has several input formats (\(present.joined(separator: ", "))); send one")
        }
        switch format {
        case "dataframe_split":
            guard case .array(let data)? = value["data"] else {
                throw .badRequest("dataframe_split.data must be an array of rows")
            }
            var names: [String]?
            if let columns = value["columns"] {
                guard case .array(let list) = columns else { throw .badRequest("dataframe_split.columns must be an array of names") }
                names = try list.enumerated().map { index, name throws(ServingError) -> String in
                    switch name {
                    case .string(let text): return text
                    case .number(let number): return number == number.rounded() ? String(Int(number)) : String(number)
                    default: throw .badRequest("dataframe_split.columns[\(index)] is \(name.kind), expected a name")
                    }
                }
            }
            var input = try positionalRows(data, field: "dataframe_split.data")
            if let names {
                guard names.count == input.columns || input.rows == 0 else {
                    throw .badRequest("dataframe_split has \(names.count) columns but rows of \(input.columns) values")
                }
                input.names = names
                input.columns = names.count
            }
            return input
        case "dataframe_records":
            guard case .array(let records) = value else { throw .badRequest("dataframe_records must be an array of objects") }
            return try recordRows(records, field: "dataframe_records")
        default:
            switch value {
            case .array(let items):
                if case .object? = items.first { return try recordRows(items, field: format) }
                return try positionalRows(items, field: format)
            case .object(let columns) where format == "inputs":
                return try columnar(columns, field: format)
            default:
                throw .badRequest("\(format) must be an array of rows\(format == "inputs" ? " or an object of columns" : "")")
            }
        }
    }

    /// `[[1, 2], [3, 4]]`, or `[1, 2]` for one-feature rows.
    private static func positionalRows(_ items: [JSONValue], field: String) throws(ServingError) -> InferenceInput {
        guard !items.isEmpty else { throw .badRequest("\(field) has no rows") }
        guard case .array(let first) = items[0] else {
            let values = try items.enumerated().map { i, v throws(ServingError) in try featureValue(v, at: "\(field)[\(i)]") }
            return InferenceInput(rows: values.count, columns: 1, values: values, names: nil)
        }
        let width = first.count
        var values: [Float] = []
        values.reserveCapacity(items.count * width)
        for (r, item) in items.enumerated() {
            guard case .array(let row) = item else { throw .badRequest("\(field)[\(r)] is \(item.kind), expected an array") }
            guard row.count == width else {
                throw .badRequest("\(field)[\(r)] has \(row.count) values, row 0 has \(width)")
            }
            for (c, cell) in row.enumerated() { values.append(try featureValue(cell, at: "\(field)[\(r)][\(c)]")) }
        }
        return InferenceInput(rows: items.count, columns: width, values: values, names: nil)
    }

    /// `[{"a": 1, "b": 2}, ...]`: every record must name the same columns.
    private static func recordRows(_ items: [JSONValue], field: String) throws(ServingError) -> InferenceInput {
        guard case .object(let first)? = items.first else { throw .badRequest("\(field) has no records") }
        let names = first.keys.sorted()
        var values: [Float] = []
        values.reserveCapacity(items.count * names.count)
        for (r, item) in items.enumerated() {
            guard case .object(let record) = item else { throw .badRequest("\(field)[\(r)] is \(item.kind), expected an object") }
            guard record.count == names.count else {
                throw .badRequest("\(field)[\(r)] has \(record.count) columns, record 0 has \(names.count)")
            }
            for name in names {
                guard let cell = record[name] else { throw .badRequest("\(field)[\(r)] lacks column '\(name)'") }
                values.append(try featureValue(cell, at: "\(field)[\(r)].\(name)"))
            }
        }
        return InferenceInput(rows: items.count, columns: names.count, values: values, names: names)
    }

    /// `{"a": [1, 3], "b": [2, 4]}`: one array per column, all of the same length.
    private static func columnar(_ columns: [String: JSONValue], field: String) throws(ServingError) -> InferenceInput {
        let names = columns.keys.sorted()
        var lists: [[JSONValue]] = []
        for name in names {
            guard case .array(let list)? = columns[name] else { throw .badRequest("\(field).\(name) must be an array") }
            guard list.count == lists.first?.count ?? list.count else {
                throw .badRequest("\(field).\(name) has \(list.count) values, \(field).\(names[0]) has \(lists[0].count)")
            }
            lists.append(list)
        }
        let rows = lists.first?.count ?? 0
        guard rows > 0 else { throw .badRequest("\(field) has no rows") }
        var values = [Float](repeating: 0, count: rows * names.count)
        for (c, list) in lists.enumerated() {
            for (r, cell) in list.enumerated() {
                values[r * names.count + c] = try featureValue(cell, at: "\(field).\(names[c])[\(r)]")
            }
        }
        return InferenceInput(rows: rows, columns: names.count, values: values, names: names)
    }

    struct ClassifierResponse: Encodable {
        var predictions: [String]
        var probabilities: [[Float]]
        var classes: [String]
    }

    struct RegressorResponse: Encodable {
        var predictions: [Float]
    }

    struct MultiOutputResponse: Encodable {
        var predictions: [[Float]]
    }

    static func response(_ prediction: Prediction, encoder: JSONEncoder) throws -> Data {
        switch prediction.kind {
        case .classifier(let labels, let classes):
            return try encoder.encode(ClassifierResponse(
                predictions: labels.map { classes[$0] }, probabilities: prediction.rowsOfOutputs(), classes: classes))
        case .regressor where prediction.width == 1:
            return try encoder.encode(RegressorResponse(predictions: prediction.outputs))
        case .regressor:
            return try encoder.encode(MultiOutputResponse(predictions: prediction.rowsOfOutputs()))
        }
    }

    struct ErrorBody: Encodable {
        var error_code: String
        var message: String
    }

    static func errorBody(_ error: ServingError) -> Data {
        let code = switch error.status.code {
        case 400, 413: "BAD_REQUEST"
        case 404: "RESOURCE_DOES_NOT_EXIST"
        default: "INTERNAL_ERROR"
        }
        return (try? JSONEncoder().encode(ErrorBody(error_code: code, message: error.message))) ?? Data()
    }
}
