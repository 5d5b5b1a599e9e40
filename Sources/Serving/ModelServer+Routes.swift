import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TrafficPolicies

/// The HTTP surface. Inference routes answer errors in their protocol's format: OIP
/// `{"error": ...}`, MLflow `{"error_code": ..., "message": ...}`. No route reads a file:
/// models are looked up by name among those loaded at start-up.
extension ModelServer {
    enum WireProtocol: String {
        case openInference = "oip"
        case mlflow

        func errorBody(_ error: ServingError) -> Data {
            switch self {
            case .openInference: OpenInferenceProtocol.errorBody(error)
            case .mlflow: MLflowScoring.errorBody(error)
            }
        }
    }

    static let requestIDField = HTTPField.Name("X-Request-Id")!

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/v2/health/live") { _, _ in Self.json(#"{"live":true}"#) }
        router.get("/v2/health/ready") { _, _ in Self.json(#"{"ready":true}"#) }
        router.get("/v2") { _, _ in
            Self.json(#"{"name":"ringmaster","version":"0.1.0","extensions":[]}"#)
        }
        router.get("/v2/models/:name") { _, context in
            self.metadata(context, version: nil)
        }
        router.get("/v2/models/:name/versions/:version") { _, context in
            self.metadata(context, version: context.parameters.get("version"))
        }
        router.get("/v2/models/:name/ready") { _, context in
            self.ready(context, version: nil)
        }
        router.get("/v2/models/:name/versions/:version/ready") { _, context in
            self.ready(context, version: context.parameters.get("version"))
        }
        router.post("/v2/models/:name/infer") { request, context in
            await self.infer(request, name: context.parameters.get("name"), version: nil, protocol: .openInference)
        }
        router.post("/v2/models/:name/versions/:version/infer") { request, context in
            await self.infer(
                request, name: context.parameters.get("name"), version: context.parameters.get("version"), protocol: .openInference)
        }
        router.post("/invocations") { request, _ in
            await self.infer(request, name: self.endpoints[0].name, version: nil, protocol: .mlflow)
        }
        router.get("/ping") { _, _ in Self.json("{}") }
        router.get("/health") { _, _ in Self.json("{}") }
        router.get("/metrics") { _, _ in
            self.recordDriftMetrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
        }
        router.post("/v2/feedback") { request, _ in
            await self.feedback(request)
        }
        router.get("/stats") { _, _ in
            try Self.json(self.statistics(self.endpoints[0]))
        }
        router.get("/v2/models/:name/stats") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let endpoint = self.endpointsByName[name] else {
                return Self.openInferenceResponse(Result<Int, ServingError>.failure(.notFound("no model named '\(name)'")))
            }
            return try Self.json(self.statistics(endpoint))
        }
        router.get("/v2/models/:name/drift") { _, context in
            self.drift(name: context.parameters.get("name") ?? "")
        }
        router.get("/admin/policy") { request, _ in
            try self.admin(request) { try Self.json(self.endpoints[0].router.policy) }
        }
        router.put("/admin/policy") { request, _ in
            if let refusal = self.adminRefusal(request) { return refusal }
            do {
                return try self.putPolicy(try await self.collect(request))
            } catch let error as ServingError {
                return Self.json(OpenInferenceProtocol.errorBody(error), status: error.status)
            }
        }
        router.get("/admin/status") { request, _ in
            try self.admin(request) { try Self.json(self.status()) }
        }
        router.post("/admin/reload") { request, _ in
            try self.admin(request) { try Self.json(["events": self.reload()]) }
        }
        return router
    }

    // MARK: OIP model metadata

    /// The model a metadata route names, or the OIP error response.
    private func served(_ context: BasicRequestContext, version: String?) -> Result<ServedModel, ServingError> {
        let name = context.parameters.get("name") ?? ""
        guard let endpoint = endpointsByName[name] else { return .failure(.notFound("no model named '\(name)'")) }
        let model = endpoint.variants[0].current
        if let version, version != model.version {
            return .failure(.notFound("model '\(name)' version \(version) is not loaded (serving \(model.version))"))
        }
        return .success(model)
    }

    private func metadata(_ context: BasicRequestContext, version: String?) -> Response {
        Self.openInferenceResponse(served(context, version: version).map(OpenInferenceProtocol.metadata))
    }

    private func ready(_ context: BasicRequestContext, version: String?) -> Response {
        Self.openInferenceResponse(served(context, version: version).map { model in
            ModelReadiness(name: model.name, version: model.version, ready: true)
        })
    }

    struct ModelReadiness: Encodable {
        var name: String
        var version: String
        var ready: Bool
    }

    static func openInferenceResponse(_ result: Result<some Encodable, ServingError>) -> Response {
        switch result {
        case .success(let value):
            guard let data = try? JSONEncoder().encode(value) else { return json(Data(), status: .internalServerError) }
            return json(data)
        case .failure(let error):
            return json(OpenInferenceProtocol.errorBody(error), status: error.status)
        }
    }

    // MARK: Inference

    /// Reads, checks and predicts one request; every outcome is a response, never a thrown error.
    ///
    /// The request id is the client's `X-Request-Id` when it is valid, else the OIP body's
    /// `id` when valid, else a fresh UUID; it comes back in `X-Request-Id` (and OIP's `id`)
    /// and is what `/v2/feedback` takes. The endpoint's router picks the answering variant
    /// (A/B policies read their sticky key from the header or body field they name); shadow
    /// variants get a copy after the answer is ready.
    func infer(_ request: Request, name: String?, version: String?, protocol wire: WireProtocol) async -> Response {
        let start = ContinuousClock.now
        var requestID = request.headers[Self.requestIDField].flatMap(Self.validRequestID)
        let logged = requestLog?.sample() == true
        var body = Data()
        var model: ServedModel?
        var answering: (endpoint: Endpoint, variant: Variant)?
        var addressed: Endpoint?
        var shadows: [Variant] = []
        var shadowInput: InferenceInput?
        let status: HTTPResponse.Status
        let payload: Data
        do {
            guard let name, let endpoint = endpointsByName[name] else {
                throw ServingError.notFound("no model named '\(name ?? "")'")
            }
            addressed = endpoint
            body = try await collect(request)
            let document = try Self.decode(body)
            var oipID: String?
            let input: InferenceInput
            switch wire {
            case .openInference: (oipID, input) = try OpenInferenceProtocol.input(from: document)
            case .mlflow: input = try MLflowScoring.input(from: document)
            }
            if requestID == nil { requestID = oipID.flatMap(Self.validRequestID) ?? UUID().uuidString.lowercased() }
            let id = requestID!
            let route = endpoint.route(requestID: id, key: Self.stickyKey(endpoint.router.policy.stickyKey, request, document))
            let variant = route.answer
            answering = (endpoint, variant)
            var chosen = variant.current
            model = chosen
            if let version, version != chosen.version {
                throw ServingError.notFound("model '\(name)' version \(version) is not loaded (serving \(chosen.version))")
            }
            var prediction = try await chosen.predict(input, requestID: id)
            // Swapped out between choosing and queueing: the replacement answers instead.
            while prediction == nil {
                let next = variant.current
                guard next !== chosen, version == nil else {
                    throw ServingError(.serviceUnavailable, "model '\(name)' is shutting down")
                }
                chosen = next
                model = chosen
                prediction = try await chosen.predict(input, requestID: id)
            }
            let encoder = JSONEncoder()
            switch wire {
            case .openInference:
                payload = try OpenInferenceProtocol.response(
                    prediction!, model: endpoint.name, version: chosen.version, id: id, encoder: encoder)
            case .mlflow:
                payload = try MLflowScoring.response(prediction!, encoder: encoder)
            }
            var predicted: String?
            if input.rows == 1, case .classifier(let labels, let classes) = prediction!.kind { predicted = classes[labels[0]] }
            answered.remember(id, AnsweredRequests.Answer(
                endpoint: endpoint, variant: variant.name, version: chosen.version, predicted: predicted,
                classes: chosen.classes, drift: chosen.drift, metrics: chosen.metrics))
            shadows = route.shadows
            shadowInput = input
            status = .ok
        } catch {
            let failure = error as? ServingError ?? ServingError(.internalServerError, "\(error)")
            status = failure.status
            payload = wire.errorBody(failure)
            // A request refused before routing counts against the endpoint's primary version.
            if model == nil { model = addressed?.variants[0].current }
            logger.debug("request failed", metadata: [
                "request_id": "\(requestID ?? "")", "status": "\(failure.status.code)", "error": "\(failure.message)",
            ])
        }
        let id = requestID ?? UUID().uuidString.lowercased()
        let elapsed = ContinuousClock.now - start
        if let model {
            model.metrics.requests.increment()
            if status != .ok { model.metrics.errors.increment() }
            model.metrics.duration.record(duration: elapsed)
        }
        if let answering {
            answering.endpoint.router.recordResult(
                variant: answering.variant.name, latencySeconds: Self.seconds(elapsed), failed: status != .ok)
        }
        if logged, let requestLog {
            requestLog.write(
                RequestLog.Entry(
                    time: Date().formatted(.iso8601), request_id: id, protocol: wire.rawValue, model: model?.name,
                    version: model?.version, variant: model?.variant, status: Int(status.code),
                    latency_ms: Self.seconds(elapsed) * 1000),
                request: body, response: payload)
        }
        if let answering, let shadowInput, !shadows.isEmpty {
            let requestBody = body
            Task.detached {
                for shadow in shadows {
                    await self.shadow(
                        shadowInput, variant: shadow, endpoint: answering.endpoint, requestID: id, logged: logged,
                        requestBody: requestBody, wire: wire)
                }
            }
        }
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[Self.requestIDField] = id
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: payload)))
    }

    /// Runs a shadow copy of an answered request: counted in the shadow metrics and the
    /// router's statistics, written to the request log when the request was sampled (with
    /// `"shadow": true`), never returned to anyone.
    private func shadow(
        _ input: InferenceInput, variant: Variant, endpoint: Endpoint, requestID: String, logged: Bool, requestBody: Data,
        wire: WireProtocol
    ) async {
        let start = ContinuousClock.now
        let model = variant.current
        let status: HTTPResponse.Status
        let payload: Data
        do {
            guard let prediction = try await model.predict(input) else {
                throw ServingError(.serviceUnavailable, "shadow variant '\(variant.name)' was swapped out")
            }
            payload = try OpenInferenceProtocol.response(
                prediction, model: endpoint.name, version: model.version, id: requestID, encoder: JSONEncoder())
            status = .ok
        } catch {
            let failure = error as? ServingError ?? ServingError(.internalServerError, "\(error)")
            status = failure.status
            payload = OpenInferenceProtocol.errorBody(failure)
        }
        let elapsed = ContinuousClock.now - start
        model.metrics.shadowRequests.increment()
        if status != .ok { model.metrics.shadowErrors.increment() }
        endpoint.router.recordResult(variant: variant.name, latencySeconds: Self.seconds(elapsed), failed: status != .ok)
        if logged, let requestLog {
            requestLog.write(
                RequestLog.Entry(
                    time: Date().formatted(.iso8601), request_id: requestID, protocol: wire.rawValue, model: model.name,
                    version: model.version, variant: variant.name, status: Int(status.code),
                    latency_ms: Self.seconds(elapsed) * 1000, shadow: true),
                request: requestBody, response: payload)
        }
    }

    /// `id` when it can be a request id: 1 to 128 printable ASCII characters.
    static func validRequestID(_ id: String) -> String? {
        guard !id.isEmpty, id.utf8.count <= 128, id.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return id
    }

    /// The A/B sticky key of a request: the named header, or the named top-level string or
    /// number field of the JSON body.
    static func stickyKey(_ key: StickyKey?, _ request: Request, _ document: JSONValue) -> String? {
        switch key {
        case .header(let name)?:
            return HTTPField.Name(name).flatMap { request.headers[$0] }
        case .jsonField(let field)?:
            guard case .object(let fields) = document else { return nil }
            switch fields[field] {
            case .string(let text)?: return text
            case .number(let value)?: return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
            default: return nil
            }
        case nil:
            return nil
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// The body, or 413 past ``ServingConfiguration/maxBodyBytes``.
    func collect(_ request: Request) async throws -> Data {
        let limit = configuration.maxBodyBytes
        let tooLarge = ServingError(.contentTooLarge, "request body exceeds the limit of \(limit) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw tooLarge }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw tooLarge
        }
    }

    private static func decode(_ body: Data) throws(ServingError) -> JSONValue {
        guard !body.isEmpty else { throw .badRequest("the request body is empty; send JSON") }
        return try JSONParser.parse(body)
    }

    // MARK: Admin

    /// Runs `body` only for a request bearing the admin token: 401 without one, 403 with a
    /// wrong one or when the server has no token configured.
    func admin(_ request: Request, _ body: () throws -> Response) throws -> Response {
        try adminRefusal(request) ?? body()
    }

    /// The 401/403 response for a request without the right admin token; nil when it has it.
    func adminRefusal(_ request: Request) -> Response? {
        guard let token = configuration.adminToken else {
            return Self.adminError(.forbidden, "admin endpoints are disabled: start the server with --admin-token-file or RINGMASTER_ADMIN_TOKEN")
        }
        switch token.check(authorization: request.headers[.authorization]) {
        case .missing:
            var response = Self.adminError(.unauthorized, "admin endpoints need 'Authorization: Bearer TOKEN'")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        case .wrong:
            return Self.adminError(.forbidden, "wrong admin token")
        case .accepted:
            return nil
        }
    }

    private static func adminError(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(OpenInferenceProtocol.errorBody(ServingError(status, message)), status: status)
    }

    struct Status: Encodable {
        struct VariantStatus: Encodable {
            var name: String
            var reference: String
            var version: String
            var sha256: String
            var last_reload_error: String?
        }

        struct ModelStatus: Encodable {
            var name: String
            var variants: [VariantStatus]
        }

        var models: [ModelStatus]
        var max_batch: Int
        var max_delay_ms: Double
        var poll_interval_ms: Double
    }

    /// What `/admin/status` reports: every endpoint's variants, versions and reload errors.
    func status() -> Status {
        func milliseconds(_ d: Duration) -> Double {
            Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15
        }
        return Status(
            models: endpoints.map { endpoint in
                Status.ModelStatus(name: endpoint.name, variants: endpoint.variants.map { variant in
                    let model = variant.current
                    return Status.VariantStatus(
                        name: variant.name, reference: variant.reference, version: model.version, sha256: model.sha256,
                        last_reload_error: variant.lastFailure.current?.message)
                })
            },
            max_batch: configuration.maxBatch, max_delay_ms: milliseconds(configuration.maxDelay),
            poll_interval_ms: milliseconds(configuration.pollInterval))
    }

    // MARK: Responses

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        json(Data(text.utf8), status: status)
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json(_ value: some Encodable) throws -> Response {
        json(try JSONEncoder().encode(value))
    }
}
