/// Per-feature standardization `(x - mean) / scale`, fitted on a training split and
/// saved with the model so that evaluation, prediction and serving apply the same
/// transform.
public struct FeatureScaling: Codable, Sendable, Equatable {
    /// Mean of each feature over the fitted rows.
    public var mean: [Float]
    /// Standard deviation of each feature (population); 1 where a feature is constant.
    public var scale: [Float]

    public init(mean: [Float], scale: [Float]) {
        precondition(mean.count == scale.count)
        self.mean = mean
        self.scale = scale
    }

    /// Number of features this transform expects.
    public var featureCount: Int { mean.count }

    /// Standardizes `rows` rows of `featureCount` features in place (row-major).
    public func apply(to features: inout [Float]) {
        let width = featureCount
        precondition(width == 0 || features.count % width == 0)
        features.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                for j in 0..<width { buffer[offset + j] = (buffer[offset + j] - mean[j]) / scale[j] }
                offset += width
            }
        }
    }
}
