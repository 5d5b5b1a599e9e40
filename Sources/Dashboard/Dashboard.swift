import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOPosix
import RingmasterCore
import TrafficPolicies

/// How a dashboard serves: who may write, which files it may read, where serving stats live.
public struct DashboardConfiguration: Sendable {
    /// The token that authorises writes (tags, aliases); nil keeps the dashboard read-only
    /// and every write answers 403. Default nil.
    public var token: String?
    /// Directories whose files the drift page may read (the working directory and the store's
    /// directory); any other path is refused. Default: none.
    public var dataRoots: [URL]
    /// The model server whose statistics `/serving` shows when no `url` is given. Default nil.
    public var servingURL: String?
    /// Runs per page of `/runs`. Default 50.
    public var pageSize: Int

    public init(token: String? = nil, dataRoots: [URL] = [], servingURL: String? = nil, pageSize: Int = 50) {
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.dataRoots = dataRoots
        self.servingURL = servingURL
        self.pageSize = pageSize
    }
}

/// A page request that cannot be answered as asked; the page shows `message` with `status`.
struct PageError: Error {
    var status: HTTPResponse.Status
    var message: String
}

/// The web dashboard over one metadata store: routes, page rendering and the guarded writes.
///
/// Every page is rendered from the store on request (no cache), on NIO's thread pool because
/// store calls are synchronous.
public struct Dashboard: Sendable {
    public let store: any MetadataStore
    public let configuration: DashboardConfiguration

    public init(store: any MetadataStore, configuration: DashboardConfiguration = DashboardConfiguration()) {
        self.store = store
        self.configuration = configuration
    }

    var readOnly: Bool { configuration.token == nil }

    /// Every route of the dashboard.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let pages = self
        router.get("/") { request, _ in await pages.respond(request) { _ in try pages.experimentsPage() } }
        router.get("/runs") { request, _ in await pages.respond(request) { try pages.runsPage($0) } }
        router.get("/runs/:id") { request, context in
            let id = try context.parameters.require("id")
            return await pages.respond(request) { _ in try pages.runPage(id) }
        }
        router.get("/runs/:id/charts") { request, context in
            let id = try context.parameters.require("id")
            return await pages.respond(request, fragment: true) { _ in try pages.runCharts(try pages.store.run(id)) }
        }
        router.post("/runs/:id/tags") { request, context in
            let id = try context.parameters.require("id")
            return try await pages.write(request) { form in try pages.setTag(run: id, form) }
        }
        router.get("/compare") { request, _ in await pages.respond(request) { try pages.comparePage($0) } }
        router.get("/sweeps") { request, _ in await pages.respond(request) { _ in try pages.sweepsPage() } }
        router.get("/sweeps/:id") { request, context in
            let id = try context.parameters.require("id")
            return await pages.respond(request) { _ in try pages.sweepPage(id) }
        }
        router.get("/models") { request, _ in await pages.respond(request) { _ in try pages.modelsPage() } }
        router.get("/models/:name") { request, context in
            let name = try context.parameters.require("name")
            return await pages.respond(request) { _ in try pages.modelPage(name) }
        }
        router.post("/models/:name/aliases") { request, context in
            let name = try context.parameters.require("name")
            return try await pages.write(request) { form in try pages.moveAlias(model: name, form) }
        }
        router.get("/drift") { request, _ in await pages.respond(request) { try pages.driftPage($0) } }
        router.get("/serving") { request, _ in
            let query = QueryParameters(request.uri.query)
            let source = query.first("url") ?? pages.configuration.servingURL
            let fetched = await ServingStatsSource.fetch(source)
            return await pages.respond(request) { _ in try pages.servingPage(source: source, fetched) }
        }
        router.get("/live.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: Layout.script)))
        }
        return router
    }

    /// An application serving the dashboard on `host:port`; `onServerRunning` gets the port it
    /// listens on (the one the system picked when `port` is 0).
    public func application(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        var logger = Logger(label: "ringmaster-ui")
        logger.logLevel = .warning
        return Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "ringmaster-ui"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    public func serve(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(host: host, port: port, onServerRunning: onServerRunning).runService()
    }

    // MARK: Responses

    /// Renders a page, turning errors into a page with a message: unknown things 404, bad
    /// searches 400 (never 500 for something the user typed). Store calls block, so rendering
    /// runs on NIO's thread pool rather than on one of Swift concurrency's few cooperative threads.
    func respond(
        _ request: Request, fragment: Bool = false, _ render: @escaping @Sendable (QueryParameters) throws -> HTML
    ) async -> Response {
        let query = QueryParameters(request.uri.query)
        let clock = ContinuousClock()
        let start = clock.now
        var response: Response
        do {
            response = Self.html(.ok, try await NIOThreadPool.singleton.runIfActive { try render(query) })
        } catch {
            let (status, message) = Self.describe(error)
            let body: HTML = fragment
                ? Layout.message(message)
                : Layout.page(title: "Error", section: nil, readOnly: readOnly, "<h1>\(status.reasonPhrase)</h1>\(Layout.message(message))")
            response = Self.html(status, body)
        }
        // How long the page took to render on the server, for benchmarks/dashboard_pages.sh.
        let elapsed = clock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[Self.serverTiming] = "render;dur=\(String(format: "%.3f", milliseconds))"
        return response
    }

    static func describe(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as PageError: return (error.status, error.message)
        case let error as RunFilterError: return (.badRequest, error.description)
        case let error as StoreError:
            switch error {
            case .unknownRun, .unknownSweep, .unknownModel, .unknownModelVersion, .unknownModelAlias, .unknownDataset:
                return (.notFound, error.description)
            case .ambiguousRun, .invalidQuery, .invalidModelName: return (.badRequest, error.description)
            default: return (.internalServerError, error.description)
            }
        case let error as ModelRegistryError: return (.badRequest, error.description)
        default: return (.internalServerError, "\(error)")
        }
    }

    static let serverTiming = HTTPField.Name("Server-Timing")!

    static func html(_ status: HTTPResponse.Status, _ page: HTML) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy: "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'",
                .xContentTypeOptions: "nosniff",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(string: page.text)))
    }

    // MARK: Writes

    /// Runs `change` when the request carries the configured token (form field `token` or
    /// `Authorization: Bearer`), compared in constant time; then redirects to the page it
    /// returns. Without a configured token every write answers 403.
    func write(_ request: Request, _ change: @escaping @Sendable (QueryParameters) throws -> String) async throws -> Response {
        guard let token = configuration.token else {
            return Self.html(.forbidden, Layout.message("this dashboard is read-only: start it with --token-file or RINGMASTER_UI_TOKEN to allow changes"))
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let form = QueryParameters(String(buffer: body))
        let authorised = TokenCheck.matches(form.first("token") ?? "", token)
            || TokenCheck.bearerMatches(authorization: request.headers[.authorization], token: token)
        guard authorised else { return Self.html(.forbidden, Layout.message("wrong or missing token")) }
        do {
            let location = try await NIOThreadPool.singleton.runIfActive { try change(form) }
            return Response(status: .seeOther, headers: [.location: location])
        } catch {
            let (status, message) = Self.describe(error)
            return Self.html(status == .internalServerError ? status : .badRequest, Layout.page(
                title: "Not changed", section: nil, readOnly: readOnly, "<h1>Not changed</h1>\(Layout.message(message))"))
        }
    }

    func setTag(run id: String, _ form: QueryParameters) throws -> String {
        let run = try store.run(id)
        guard let key = form.first("key")?.trimmingCharacters(in: .whitespaces), !key.isEmpty else {
            throw PageError(status: .badRequest, message: "tag: the key is empty")
        }
        try store.setTags(run: run.id, [key: form.first("value") ?? ""])
        return "/runs/\(run.id)"
    }

    func moveAlias(model: String, _ form: QueryParameters) throws -> String {
        let record = try store.registeredModel(model)
        guard let alias = form.first("alias"), !alias.isEmpty else {
            throw PageError(status: .badRequest, message: "alias: the name is empty")
        }
        guard let text = form.first("version"), let version = Int(text) else {
            throw PageError(status: .badRequest, message: "version: '\(form.first("version") ?? "")' is not a version number")
        }
        let reason = form.first("reason").flatMap { $0.isEmpty ? nil : $0 } ?? "moved in the dashboard"
        _ = try ModelRegistry(store: store).promote(model: record.name, version: version, alias: alias, reason: reason)
        return "/models/\(urlComponent(record.name))"
    }
}

/// `application/x-www-form-urlencoded` pairs from a query string or a form body
/// (`+` is a space, then percent-decoding), in order; repeated names keep every value.
struct QueryParameters: Sendable {
    var pairs: [(name: String, value: String)] = []

    init(_ text: String?) {
        guard let text, !text.isEmpty else { return }
        for item in text.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            pairs.append((decode(parts[0]), parts.count > 1 ? decode(parts[1]) : ""))
        }
    }

    /// The first non-empty value of `name`.
    func first(_ name: String) -> String? {
        pairs.first { $0.name == name && !$0.value.isEmpty }?.value
    }

    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}
