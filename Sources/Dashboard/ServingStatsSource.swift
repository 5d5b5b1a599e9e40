import AsyncHTTPClient
import Foundation
import TrafficPolicies

/// What `/serving` reads from a model server: its traffic policy's per-variant statistics,
/// `TrafficRouter.snapshot()` as JSON. Either `{"policy": "canary", "variants": [VariantStatistics…]}`
/// or a bare array of `VariantStatistics`.
struct ServingStats: Decodable, Sendable {
    var policy: String?
    var variants: [VariantStatistics]

    init(from decoder: any Decoder) throws {
        if let variants = try? decoder.singleValueContainer().decode([VariantStatistics].self) {
            self.policy = nil
            self.variants = variants
            return
        }
        let container = try decoder.container(keyedBy: Keys.self)
        policy = try container.decodeIfPresent(String.self, forKey: .policy)
        variants = try container.decode([VariantStatistics].self, forKey: .variants)
    }

    private enum Keys: String, CodingKey { case policy, variants }
}

/// Fetches serving statistics, only from a model server on this machine (a loopback host) so
/// that the dashboard cannot be used to reach other hosts. A URL without a path gets `/stats`.
enum ServingStatsSource {
    enum Outcome: Sendable {
        case none
        case stats(ServingStats, url: String)
        case failure(String)
    }

    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "[::1]"]

    static func endpoint(_ text: String) throws -> URL {
        guard var components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host
        else { throw PageError(status: .badRequest, message: "url: '\(text)' is not an http:// URL") }
        guard loopbackHosts.contains(host.lowercased()) else {
            throw PageError(status: .forbidden, message: "url: only a model server on this machine (127.0.0.1, localhost) can be read, not '\(host)'")
        }
        if components.path.isEmpty || components.path == "/" { components.path = "/stats" }
        guard let url = components.url else { throw PageError(status: .badRequest, message: "url: '\(text)' is not a URL") }
        return url
    }

    static func fetch(_ text: String?) async -> Outcome {
        guard let text, !text.isEmpty else { return .none }
        do {
            let url = try endpoint(text)
            // A client per request that follows no redirects: a redirect could lead off this machine.
            let body = try await HTTPClient.withHTTPClient(configuration: .init(redirectConfiguration: .disallow)) { client in
                var request = HTTPClientRequest(url: url.absoluteString)
                request.headers.add(name: "Accept", value: "application/json")
                let response = try await client.execute(request, timeout: .seconds(3))
                guard response.status == .ok else {
                    throw PageError(status: .badGateway, message: "\(url.absoluteString) answered HTTP \(response.status.code)")
                }
                return try await response.body.collect(upTo: 4 << 20)
            }
            do {
                return .stats(try JSONDecoder().decode(ServingStats.self, from: Data(body.readableBytesView)), url: url.absoluteString)
            } catch {
                return .failure("\(url.absoluteString): not a statistics document (\(error))")
            }
        } catch let error as PageError {
            return .failure(error.message)
        } catch {
            return .failure("\(text): cannot read it (\(error))")
        }
    }
}
