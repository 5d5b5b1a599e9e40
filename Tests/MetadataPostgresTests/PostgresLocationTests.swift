import Foundation
import MetadataPostgres
import RingmasterCore
import Testing

/// URL parsing and redaction; needs no server.
@Suite struct PostgresLocationTests {
    @Test func urlPartsWinOverTheEnvironment() throws {
        let environment = ["PGUSER": "env-user", "PGPASSWORD": "env-secret", "PGHOST": "env-host", "PGPORT": "6000", "PGDATABASE": "env-db"]
        let location = try PostgresLocation(url: "postgresql://alice:s%40cret@db.example.org:5433/runs?sslmode=require", environment: environment)
        #expect(location.user == "alice" && location.host == "db.example.org" && location.port == 5433)
        #expect(location.database == "runs" && location.sslMode == "require")
        #expect(location.redacted == "postgres://alice:***@db.example.org:5433/runs")
    }

    @Test func missingPartsComeFromTheEnvironment() throws {
        let environment = ["PGUSER": "bob", "PGPASSWORD": "from-env", "PGHOST": "10.0.0.5", "PGPORT": "6000", "PGDATABASE": "team"]
        let location = try PostgresLocation(url: "postgres://", environment: environment)
        #expect(location.user == "bob" && location.host == "10.0.0.5" && location.port == 6000 && location.database == "team")
        #expect(location.redacted == "postgres://bob:***@10.0.0.5:6000/team")
        #expect("\(location)" == location.redacted)
        let defaults = try PostgresLocation(url: "postgres://carol@localhost", environment: [:])
        #expect(defaults.port == 5432 && defaults.database == "carol" && defaults.redacted == "postgres://carol@localhost:5432/carol")
    }

    @Test func badURLsAreRefusedWithoutThePassword() {
        for url in ["mysql://u:pw-1@h/db", "postgres://u:pw-1@h:99999/db", "postgres://u:pw-1@h/db?sslmode=verify-ca"] {
            do {
                _ = try PostgresLocation(url: url, environment: [:])
                Issue.record("\(url) was accepted")
            } catch {
                #expect(!"\(error)".contains("pw-1") && "\(error)".contains("***"), "\(error)")
            }
        }
    }

    /// The store's location and a connection failure name the URL with the password as `***`.
    @Test func passwordIsNeverShown() throws {
        // Port 1 on loopback: nothing listens there, so connecting fails at once.
        let url = "postgres://alice:s3cret-pw@127.0.0.1:1/ringmaster"
        do {
            _ = try PostgresStore(url: url, environment: [:])
            Issue.record("connected to a port where nothing listens")
        } catch let error as StoreError {
            guard case .unavailable(let reason) = error else {
                Issue.record("expected unavailable, got \(error)")
                return
            }
            #expect(reason.hasPrefix("postgres://alice:***@127.0.0.1:1/ringmaster: "), "\(reason)")
            #expect(!"\(error)".contains("s3cret-pw") && !String(reflecting: error).contains("s3cret-pw"))
        }
        let fromEnvironment = "postgres://127.0.0.1:1/ringmaster"
        do {
            _ = try PostgresStore(url: fromEnvironment, environment: ["PGUSER": "alice", "PGPASSWORD": "s3cret-pw"])
        } catch {
            #expect("\(error)".contains("alice:***@") && !"\(error)".contains("s3cret-pw"), "\(error)")
        }
    }
}
