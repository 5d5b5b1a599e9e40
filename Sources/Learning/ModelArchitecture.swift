/// The nonlinearity applied after each hidden layer of an MLP.
public enum Activation: String, Codable, Sendable, CaseIterable {
    case relu, tanh, sigmoid
    /// The exact erf form, PyTorch's `nn.GELU()` default.
    case gelu
}

/// The family of model; it fixes which layers and losses make sense.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    /// One dense layer trained with mean squared error (linear regression).
    case linear
    /// One dense layer on logits: binary (1 output, BCE) or multinomial (≥ 2 outputs, CE).
    case logistic
    /// One dense layer with softmax cross-entropy over ≥ 2 classes.
    case softmax
    /// Hidden dense layers with an activation and optional dropout, then an output layer.
    case mlp
}

/// The training objective, computed on the raw outputs (logits for classification).
public enum LossKind: String, Codable, Sendable {
    /// Targets are class indices stored as Float; outputs ≥ 2.
    case softmaxCrossEntropy = "softmax_cross_entropy"
    /// Targets are 0 or 1; exactly one output (the logit of class 1).
    case binaryCrossEntropy = "binary_cross_entropy"
    /// Targets have one value per output; loss is the mean over rows and outputs.
    case meanSquaredError = "mse"
}

/// The shape of a network: what the trainer builds, the model file records and the
/// server rebuilds.
public struct ModelArchitecture: Codable, Sendable, Equatable {
    /// The model family.
    public var kind: ModelKind
    /// Number of input features (after preprocessing).
    public var inputs: Int
    /// Number of outputs: classes for CE, 1 for BCE, target columns for MSE.
    public var outputs: Int
    /// Width of each hidden layer, input side first; empty except for `.mlp`.
    public var hidden: [Int]
    /// Nonlinearity after each hidden layer; ignored without hidden layers. Default relu.
    public var activation: Activation
    /// Probability of zeroing each hidden unit in training (inverted dropout, applied
    /// after each hidden activation), in [0, 1). Default 0.
    public var dropout: Double
    /// The training objective.
    public var loss: LossKind

    /// `loss` defaults by kind: linear → MSE; logistic → BCE with 1 output, else CE;
    /// softmax → CE; mlp → CE with ≥ 2 outputs, else MSE. Pass it explicitly for a binary
    /// MLP classifier (`.binaryCrossEntropy`).
    public init(
        kind: ModelKind, inputs: Int, outputs: Int, hidden: [Int] = [],
        activation: Activation = .relu, dropout: Double = 0, loss: LossKind? = nil
    ) {
        self.kind = kind
        self.inputs = inputs
        self.outputs = outputs
        self.hidden = hidden
        self.activation = activation
        self.dropout = dropout
        self.loss = loss ?? Self.defaultLoss(kind: kind, outputs: outputs)
    }

    static func defaultLoss(kind: ModelKind, outputs: Int) -> LossKind {
        switch kind {
        case .linear: .meanSquaredError
        case .logistic: outputs == 1 ? .binaryCrossEntropy : .softmaxCrossEntropy
        case .softmax: .softmaxCrossEntropy
        case .mlp: outputs >= 2 ? .softmaxCrossEntropy : .meanSquaredError
        }
    }

    /// Layer widths from input to output: `[inputs] + hidden + [outputs]`.
    public var widths: [Int] { [inputs] + hidden + [outputs] }

    /// Number of Float parameters: per dense layer, `in × out` weights plus `out` biases.
    public var parameterCount: Int { parameterLayout.last?.bias.upperBound ?? 0 }

    /// Where each dense layer's parameters live in the parameter (and gradient) arena,
    /// input side first. Each layer stores its weight as an (outputs, inputs) row-major
    /// matrix, PyTorch's `nn.Linear.weight` layout, followed by its bias (outputs).
    public var parameterLayout: [LayerParameters] {
        let widths = widths
        var offset = 0
        return (1..<widths.count).map { index in
            let (inputs, outputs) = (widths[index - 1], widths[index])
            let weights = offset..<(offset + inputs * outputs)
            offset = weights.upperBound + outputs
            return LayerParameters(inputs: inputs, outputs: outputs, weights: weights, bias: weights.upperBound..<offset)
        }
    }

    /// Values per row of the target buffer: one class index or 0/1 label for the
    /// classification losses, one value per output for MSE.
    public var targetColumns: Int { loss == .meanSquaredError ? outputs : 1 }

    /// Whether outputs are classes (accuracy is meaningful) rather than regression values.
    public var isClassifier: Bool { loss != .meanSquaredError }

    /// Throws the first problem found; ``Network`` requires a valid architecture.
    public func validate() throws(ArchitectureError) {
        guard inputs > 0 else { throw .nonPositiveInputs(inputs) }
        guard outputs > 0 else { throw .nonPositiveOutputs(outputs) }
        if let index = hidden.firstIndex(where: { $0 <= 0 }) {
            throw .nonPositiveHiddenWidth(layer: index, width: hidden[index])
        }
        guard dropout.isFinite, dropout >= 0, dropout < 1 else { throw .dropoutOutOfRange(dropout) }
        if kind == .mlp {
            guard !hidden.isEmpty else { throw .missingHiddenLayers }
        } else {
            guard hidden.isEmpty else { throw .hiddenLayersNotAllowed(kind) }
            guard dropout == 0 else { throw .dropoutWithoutHiddenLayers(kind) }
        }
        let lossFits: Bool
        switch loss {
        case .softmaxCrossEntropy: lossFits = outputs >= 2 && kind != .linear
        case .binaryCrossEntropy: lossFits = outputs == 1 && (kind == .logistic || kind == .mlp)
        case .meanSquaredError: lossFits = kind == .linear || kind == .mlp
        }
        guard lossFits else { throw .incompatibleLoss(kind: kind, loss: loss, outputs: outputs) }
    }
}

/// One dense layer's slice of the parameter arena (see ``ModelArchitecture/parameterLayout``).
public struct LayerParameters: Sendable, Equatable {
    /// Width of the layer's input.
    public var inputs: Int
    /// Width of the layer's output.
    public var outputs: Int
    /// The (outputs, inputs) row-major weight matrix.
    public var weights: Range<Int>
    /// The bias vector (outputs).
    public var bias: Range<Int>
}

/// Why a ``ModelArchitecture`` cannot be built; each message says what to change.
public enum ArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `inputs` must be at least 1.
    case nonPositiveInputs(Int)
    /// `outputs` must be at least 1.
    case nonPositiveOutputs(Int)
    /// Every hidden layer needs at least one unit.
    case nonPositiveHiddenWidth(layer: Int, width: Int)
    /// Dropout is a probability in [0, 1); 1 would zero every unit.
    case dropoutOutOfRange(Double)
    /// An MLP needs at least one hidden layer; without one, use linear, logistic or softmax.
    case missingHiddenLayers
    /// Only `.mlp` has hidden layers.
    case hiddenLayersNotAllowed(ModelKind)
    /// Dropout acts on hidden units, which only `.mlp` has.
    case dropoutWithoutHiddenLayers(ModelKind)
    /// The loss does not fit the kind or the number of outputs.
    case incompatibleLoss(kind: ModelKind, loss: LossKind, outputs: Int)

    public var description: String {
        switch self {
        case .nonPositiveInputs(let n): "model inputs must be at least 1 (got \(n))"
        case .nonPositiveOutputs(let n): "model outputs must be at least 1 (got \(n))"
        case .nonPositiveHiddenWidth(let layer, let width):
            "hidden layer \(layer) must have at least 1 unit (got \(width))"
        case .dropoutOutOfRange(let p): "dropout must be in [0, 1) (got \(p))"
        case .missingHiddenLayers: "an mlp model needs at least one hidden layer; use linear, logistic or softmax for none"
        case .hiddenLayersNotAllowed(let kind): "a \(kind.rawValue) model has no hidden layers; use kind mlp for hidden layers"
        case .dropoutWithoutHiddenLayers(let kind): "dropout needs hidden layers, which a \(kind.rawValue) model does not have; set dropout to 0"
        case .incompatibleLoss(let kind, let loss, let outputs):
            "loss \(loss.rawValue) does not fit a \(kind.rawValue) model with \(outputs) output(s): "
                + "softmax_cross_entropy needs ≥ 2 outputs, binary_cross_entropy exactly 1, mse a linear or mlp model"
        }
    }
}
