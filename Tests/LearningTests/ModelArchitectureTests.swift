import Foundation
import Learning
import Testing

@Suite struct ModelArchitectureTests {
    @Test func lossDefaultsFollowTheKind() {
        #expect(ModelArchitecture(kind: .linear, inputs: 2, outputs: 1).loss == .meanSquaredError)
        #expect(ModelArchitecture(kind: .logistic, inputs: 2, outputs: 1).loss == .binaryCrossEntropy)
        #expect(ModelArchitecture(kind: .logistic, inputs: 2, outputs: 3).loss == .softmaxCrossEntropy)
        #expect(ModelArchitecture(kind: .softmax, inputs: 2, outputs: 3).loss == .softmaxCrossEntropy)
        #expect(ModelArchitecture(kind: .mlp, inputs: 2, outputs: 3, hidden: [4]).loss == .softmaxCrossEntropy)
        #expect(ModelArchitecture(kind: .mlp, inputs: 2, outputs: 1, hidden: [4]).loss == .meanSquaredError)
    }

    @Test(arguments: [
        (ModelArchitecture(kind: .linear, inputs: 0, outputs: 1), ArchitectureError.nonPositiveInputs(0)),
        (ModelArchitecture(kind: .linear, inputs: 3, outputs: 0), .nonPositiveOutputs(0)),
        (ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4, 0]), .nonPositiveHiddenWidth(layer: 1, width: 0)),
        (ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], dropout: 1), .dropoutOutOfRange(1)),
        (ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], dropout: -0.1), .dropoutOutOfRange(-0.1)),
        (ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2), .missingHiddenLayers),
        (ModelArchitecture(kind: .softmax, inputs: 3, outputs: 2, hidden: [4]), .hiddenLayersNotAllowed(.softmax)),
        (ModelArchitecture(kind: .linear, inputs: 3, outputs: 1, dropout: 0.5), .dropoutWithoutHiddenLayers(.linear)),
        (ModelArchitecture(kind: .softmax, inputs: 3, outputs: 1), .incompatibleLoss(kind: .softmax, loss: .softmaxCrossEntropy, outputs: 1)),
        (ModelArchitecture(kind: .linear, inputs: 3, outputs: 2, loss: .softmaxCrossEntropy),
         .incompatibleLoss(kind: .linear, loss: .softmaxCrossEntropy, outputs: 2)),
        (ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], loss: .binaryCrossEntropy),
         .incompatibleLoss(kind: .mlp, loss: .binaryCrossEntropy, outputs: 2)),
    ])
    func validationRejectsBadValues(architecture: ModelArchitecture, expected: ArchitectureError) {
        #expect(throws: expected) { try architecture.validate() }
        #expect(!expected.description.isEmpty)
    }

    @Test func validArchitecturesPass() throws {
        try ModelArchitecture(kind: .linear, inputs: 3, outputs: 2).validate()
        try ModelArchitecture(kind: .logistic, inputs: 3, outputs: 1).validate()
        try ModelArchitecture(kind: .mlp, inputs: 3, outputs: 1, hidden: [8, 8], activation: .gelu, dropout: 0.5, loss: .binaryCrossEntropy).validate()
    }

    /// Layer by layer: an (outputs, inputs) weight, then the bias, with no gaps.
    @Test func parameterLayoutIsContiguous() {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4])
        let layout = architecture.parameterLayout
        #expect(layout.count == 2)
        #expect(layout[0].weights == 0..<12 && layout[0].bias == 12..<16)
        #expect(layout[1].weights == 16..<24 && layout[1].bias == 24..<26)
        #expect(architecture.parameterCount == 26)
        #expect(architecture.widths == [3, 4, 2])
        #expect(architecture.targetColumns == 1)
        #expect(ModelArchitecture(kind: .linear, inputs: 3, outputs: 2).targetColumns == 2)
    }

    /// Config files and model files spell losses as snake_case strings.
    @Test func encodesWithStableNames() throws {
        let architecture = ModelArchitecture(kind: .mlp, inputs: 3, outputs: 2, hidden: [4], activation: .gelu, dropout: 0.1)
        let json = String(decoding: try JSONEncoder().encode(architecture), as: UTF8.self)
        #expect(json.contains("\"softmax_cross_entropy\"") && json.contains("\"gelu\"") && json.contains("\"mlp\""))
        #expect(try JSONDecoder().decode(ModelArchitecture.self, from: Data(json.utf8)) == architecture)
    }
}
