import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Serving

@Suite struct AdminTests {
    @Test func adminEndpointsNeedTheBearerToken() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog()) { $0.adminToken = AdminToken("s3cret-token\n") }
        try await server.makeApplication().test(.router) { client in
            for (uri, method) in [("/admin/status", HTTPRequest.Method.get), ("/admin/reload", .post)] {
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(uri)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
                for wrong in ["Bearer s3cret", "Bearer s3cret-token2", "Basic s3cret-token", "Bearer x"] {
                    try await client.execute(uri: uri, method: method, headers: [.authorization: wrong]) { response in
                        #expect(response.status == (wrong.hasPrefix("Bearer") ? .forbidden : .unauthorized), "\(uri) \(wrong)")
                    }
                }
            }
            try await client.execute(uri: "/admin/status", method: .get, headers: [.authorization: "Bearer s3cret-token"]) { response in
                #expect(response.status == .ok)
                let models = response.object["models"] as? [[String: Any]]
                #expect(models?.first?["name"] as? String == "animals")
                #expect(response.object["max_batch"] as? Int == 32)
            }
            try await client.execute(uri: "/admin/reload", method: .post, headers: [.authorization: "bearer s3cret-token"]) { response in
                #expect(response.status == .ok)
                #expect(response.object["events"] as? [Any] != nil)
            }
        }
    }

    @Test func withoutATokenAdminIsDisabled() async throws {
        let server = try Fixtures.server(catalog: Fixtures.catalog())
        try await server.makeApplication().test(.router) { client in
            try await client.execute(uri: "/admin/status", method: .get, headers: [.authorization: "Bearer anything"]) { response in
                #expect(response.status == .forbidden)
                #expect((response.object["error"] as? String)?.contains("disabled") == true)
            }
        }
        #expect(AdminToken(" \n") == nil)
    }
}
