import Foundation

/// The Open Inference Protocol (KServe v2) REST messages: infer request parsing, infer
/// response and model metadata encoding. Errors are `{"error": "message"}`.
enum OpenInferenceProtocol {
    static let numericTypes: Set<String> = ["FP32", "FP64", "INT32", "INT64"]

    /// Reads `{"id": ..., "inputs": [{"name", "shape", "datatype", "data"}]}`. One input
    /// holds a (rows, features) matrix (or one row of shape [features]); several inputs are
    /// one column each, named by the model's feature names, of shape [rows] or [rows, 1].
    static func input(from body: JSONValue) throws(ServingError) -> (id: String?, input: InferenceInput) {
        guard case .object(let fields) = body else { throw .badRequest("the body must be a JSON object with 'inputs'") }
        var id: String?
        if let value = fields["id"] {
            guard case .string(let text) = value else { throw .badRequest("'id' is \(value.kind), expected a string") }
            id = text
        }
        guard case .array(let inputs)? = fields["inputs"], !inputs.isEmpty else {
            throw .badRequest("'inputs' must be a non-empty array of tensors")
        }
        let tensors = try inputs.enumerated().map { index, value throws(ServingError) in try tensor(value, index: index) }
        if tensors.count == 1 {
            let t = tensors[0]
            switch t.shape.count {
            case 2: return (id, InferenceInput(rows: t.shape[0], columns: t.shape[1], values: t.values, names: nil))
            case 1: return (id, InferenceInput(rows: 1, columns: t.shape[0], values: t.values, names: nil))
            default: throw .badRequest("inputs[0] '\(t.name)' has shape \(t.shape); expected [rows, features] or [features]")
            }
        }
        let rows = tensors[0].shape[0]
        var values = [Float](repeating: 0, count: rows * tensors.count)
        for (c, t) in tensors.enumerated() {
            guard t.shape == [rows] || t.shape == [rows, 1] else {
                throw .badRequest("inputs[\(c)] '\(t.name)' has shape \(t.shape); with one input per feature each must be [\(rows)] or [\(rows), 1]")
            }
            for r in 0..<rows { values[r * tensors.count + c] = t.values[r] }
        }
        return (id, InferenceInput(rows: rows, columns: tensors.count, values: values, names: tensors.map(\.name)))
    }

    private struct Tensor {
        var name: String
        var shape: [Int]
        var values: [Float]
    }

    private static func tensor(_ value: JSONValue, index: Int) throws(ServingError) -> Tensor {
        let at = "inputs[\(index)]"
        guard case .object(let fields) = value else { throw .badRequest("\(at) is \(value.kind), expected an object") }
        guard case .string(let name)? = fields["name"] else { throw .badRequest("\(at).name must be a string") }
        guard case .string(let datatype)? = fields["datatype"] else { throw .badRequest("\(at).datatype must be a string") }
        guard numericTypes.contains(datatype) else {
            throw .badRequest("\(at) '\(name)' has datatype \(datatype); this model takes FP32, FP64, INT32 or INT64")
        }
        guard case .array(let shapeValues)? = fields["shape"], !shapeValues.isEmpty else {
            throw .badRequest("\(at).shape must be a non-empty array of sizes")
        }
        let shape = try shapeValues.map { size throws(ServingError) -> Int in
            guard case .number(let n) = size, n >= 1, n == n.rounded(), n < 1e9 else {
                throw .badRequest("\(at).shape must hold positive integers")
            }
            return Int(n)
        }
        guard let data = fields["data"] else { throw .badRequest("\(at).data is missing") }
        var values: [Float] = []
        values.reserveCapacity(shape.reduce(1, *))
        let integral = datatype.hasPrefix("INT")
        try flatten(data, into: &values, integral: integral, at: "\(at).data", datatype: datatype)
        guard values.count == shape.reduce(1, *) else {
            throw .badRequest("\(at) '\(name)' has \(values.count) values for shape \(shape)")
        }
        return Tensor(name: name, shape: shape, values: values)
    }

    /// OIP allows the data flat or nested like the shape; either way it is read row-major.
    private static func flatten(
        _ value: JSONValue, into values: inout [Float], integral: Bool, at field: String, datatype: String
    ) throws(ServingError) {
        switch value {
        case .number(let n):
            if integral && n != n.rounded() {
                throw .badRequest("\(field)[\(values.count)] is \(n), not an integer as \(datatype) requires")
            }
            values.append(Float(n))
        case .array(let items):
            for item in items { try flatten(item, into: &values, integral: integral, at: field, datatype: datatype) }
        default:
            throw .badRequest("\(field)[\(values.count)] is \(value.kind), expected a number (\(datatype))")
        }
    }

    struct OutputTensor<Element: Encodable>: Encodable {
        var name: String
        var shape: [Int]
        var datatype: String
        var data: [Element]
    }

    struct ClassifierResponse: Encodable {
        var model_name: String
        var model_version: String
        var id: String
        var outputs: Outputs

        struct Outputs: Encodable {
            var probabilities: OutputTensor<Float>
            var label: OutputTensor<Int>

            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(probabilities)
                try container.encode(label)
            }
        }
    }

    struct RegressorResponse: Encodable {
        var model_name: String
        var model_version: String
        var id: String
        var outputs: [OutputTensor<Float>]
    }

    static func response(
        _ prediction: Prediction, model: String, version: String, id: String, encoder: JSONEncoder
    ) throws -> Data {
        let rows = prediction.rows
        switch prediction.kind {
        case .classifier(let labels, _):
            return try encoder.encode(ClassifierResponse(
                model_name: model, model_version: version, id: id,
                outputs: .init(
                    probabilities: OutputTensor(name: "probabilities", shape: [rows, prediction.width], datatype: "FP32", data: prediction.outputs),
                    label: OutputTensor(name: "label", shape: [rows], datatype: "INT64", data: labels))))
        case .regressor:
            return try encoder.encode(RegressorResponse(
                model_name: model, model_version: version, id: id,
                outputs: [OutputTensor(name: "predictions", shape: [rows, prediction.width], datatype: "FP32", data: prediction.outputs)]))
        }
    }

    struct TensorMetadata: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    struct ModelMetadata: Encodable {
        var name: String
        var versions: [String]
        var platform: String
        var inputs: [TensorMetadata]
        var outputs: [TensorMetadata]
        var parameters: Parameters

        struct Parameters: Encodable {
            var sha256: String
            var task: String
            var feature_names: [String]
            var class_names: [String]?
        }
    }

    static func metadata(_ model: ServedModel) -> ModelMetadata {
        let outputs: [TensorMetadata] = model.classes == nil
            ? [TensorMetadata(name: "predictions", datatype: "FP32", shape: [-1, model.outputWidth])]
            : [TensorMetadata(name: "probabilities", datatype: "FP32", shape: [-1, model.outputWidth]),
               TensorMetadata(name: "label", datatype: "INT64", shape: [-1])]
        return ModelMetadata(
            name: model.name, versions: [model.version], platform: "ringmaster",
            inputs: [TensorMetadata(name: "input", datatype: "FP32", shape: [-1, model.featureNames.count])],
            outputs: outputs,
            parameters: .init(sha256: model.sha256, task: model.task.rawValue, feature_names: model.featureNames, class_names: model.classes))
    }

    struct ErrorBody: Encodable {
        var error: String
    }

    static func errorBody(_ error: ServingError) -> Data {
        (try? JSONEncoder().encode(ErrorBody(error: error.message))) ?? Data()
    }
}
