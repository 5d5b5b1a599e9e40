import Foundation
import HTTPTypes
import Hummingbird
import Monitoring
import TrafficPolicies

/// Feedback, traffic statistics, live drift and the run-time policy change.
extension ModelServer {
    // MARK: Feedback

    struct FeedbackResult: Encodable {
        var request_id: String
        var variant: String
        var reward_recorded: Bool
        var label_recorded: Bool
        /// Whether the label matched the prediction; nil without a label or a one-row classification.
        var correct: Bool?
    }

    /// `POST /v2/feedback`: `{"request_id", "reward"?, "label"?}`. A reward in [0, 1] goes to
    /// the endpoint's router (bandits learn from it); a label (a class name) to the answering
    /// version's drift window (live accuracy). 400 for a malformed body, 404 for a request id
    /// the server no longer remembers, 409 for a second reward or a removed variant.
    func feedback(_ request: Request) async -> Response {
        do {
            let document = try JSONParser.parse(try await collect(request))
            guard case .object(let fields) = document else { throw ServingError.badRequest("the feedback body must be a JSON object") }
            if let unknown = fields.keys.sorted().first(where: { !["request_id", "reward", "label"].contains($0) }) {
                throw ServingError.badRequest("unknown field '\(unknown)' (expected request_id, reward, label)")
            }
            guard case .string(let requestID)? = fields["request_id"], !requestID.isEmpty else {
                throw ServingError.badRequest("request_id: a non-empty string is required")
            }
            var reward: Double?
            switch fields["reward"] {
            case nil, .null?: break
            case .number(let value)?:
                guard value.isFinite, (0...1).contains(value) else { throw ServingError.badRequest("reward: \(value) is not in [0, 1]") }
                reward = value
            case let other?: throw ServingError.badRequest("reward: expected a number in [0, 1], got \(other.kind)")
            }
            var label: String?
            switch fields["label"] {
            case nil, .null?: break
            case .string(let text)?: label = text
            case .number(let value)?: label = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            case let other?: throw ServingError.badRequest("label: expected a class name, got \(other.kind)")
            }
            guard reward != nil || label != nil else { throw ServingError.badRequest("send a reward, a label or both") }
            guard let answer = answered.answer(requestID) else {
                throw ServingError.notFound("no recent request has id '\(requestID)' (unknown, or forgotten after \(answered.capacity) requests)")
            }
            if let label {
                guard let classes = answer.classes else {
                    throw ServingError.badRequest("label: model '\(answer.endpoint.name)' is a regressor; labels are class names")
                }
                guard classes.contains(label) else {
                    throw ServingError.badRequest("label: '\(label)' is not one of the model's classes (\(classes.joined(separator: ", ")))")
                }
            }
            var result = FeedbackResult(
                request_id: requestID, variant: answer.variant, reward_recorded: false, label_recorded: false, correct: nil)
            if let reward {
                do {
                    try answer.endpoint.router.reward(requestID: requestID, value: reward)
                } catch let error as TrafficRouterError {
                    switch error {
                    case .unknownRequest: throw ServingError.notFound("\(error)")
                    case .invalidReward: throw ServingError.badRequest("\(error)")
                    case .alreadyRewarded, .variantRemoved: throw ServingError(.conflict, "\(error)")
                    }
                }
                answer.metrics.rewards.increment()
                answer.metrics.rewardSum.increment(by: reward)
                result.reward_recorded = true
            }
            if let label {
                result.correct = answer.predicted.map { $0 == label }
                if let drift = answer.drift, (try? drift.label(requestID: requestID, label: label)) != nil {
                    result.label_recorded = true
                    answer.metrics.labels.increment()
                }
            }
            return try Self.json(result)
        } catch let error as ServingError {
            return Self.json(OpenInferenceProtocol.errorBody(error), status: error.status)
        } catch {
            return Self.json(OpenInferenceProtocol.errorBody(ServingError(.internalServerError, "\(error)")), status: .internalServerError)
        }
    }

    // MARK: Statistics

    /// What `/stats` answers; `ringmaster ui`'s serving page decodes it.
    public struct Statistics: Codable, Sendable {
        public var model: String
        public var policy: String
        public var variants: [VariantStatistics]
    }

    public func statistics(_ endpoint: Endpoint) -> Statistics {
        let router = endpoint.router
        return Statistics(model: endpoint.name, policy: router.policy.kind.rawValue, variants: router.snapshot())
    }

    // MARK: Drift

    struct DriftResponse: Encodable {
        var model: String
        var version: String
        var variant: String
        var window: DriftWindow.Snapshot
    }

    static let snakeCaseEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    /// `GET /v2/models/{name}/drift`: the live window of the endpoint's primary variant.
    func drift(name: String) -> Response {
        guard let endpoint = endpointsByName[name] else {
            return Self.openInferenceResponse(Result<Int, ServingError>.failure(.notFound("no model named '\(name)'")))
        }
        let variant = endpoint.variants[0]
        let model = variant.current
        guard let drift = model.drift else {
            let reason = configuration.driftWindow == 0
                ? "drift windows are off (--drift-window 0)"
                : "model '\(name)' version \(model.version) has no training profile to compare with"
            return Self.openInferenceResponse(Result<Int, ServingError>.failure(.notFound(reason)))
        }
        let response = DriftResponse(model: model.name, version: model.version, variant: variant.name, window: drift.snapshot())
        guard let data = try? Self.snakeCaseEncoder.encode(response) else { return Self.json(Data(), status: .internalServerError) }
        return Self.json(data)
    }

    /// Refreshes the drift gauges of every served version that keeps a window.
    func recordDriftMetrics() {
        for endpoint in endpoints {
            for variant in endpoint.variants {
                let model = variant.current
                guard let drift = model.drift else { continue }
                metrics.recordDrift(drift.snapshot(), model: model.name, version: model.version, variant: variant.name)
            }
        }
    }

    // MARK: Policy

    /// `PUT /admin/policy`: a JSON policy for the first endpoint. 400 for a document that is
    /// not a valid policy, 409 when a new variant's model cannot be loaded (the old policy
    /// keeps serving); 200 with the change otherwise.
    func putPolicy(_ body: Data) throws -> Response {
        let policy: TrafficPolicy
        do {
            policy = try TrafficPolicy.parse(json: body)
        } catch {
            return Self.json(OpenInferenceProtocol.errorBody(.badRequest("\(error)")), status: .badRequest)
        }
        let change: PolicyChange
        do {
            change = try replacePolicy(policy, on: endpoints[0])
        } catch {
            return Self.json(OpenInferenceProtocol.errorBody(ServingError(.conflict, "\(error)")), status: .conflict)
        }
        struct Changed: Encodable {
            var policy: TrafficPolicy
            var added: [String]
            var removed: [String]
        }
        return try Self.json(Changed(policy: policy, added: change.added.map(\.name), removed: change.removed.map(\.name)))
    }
}
