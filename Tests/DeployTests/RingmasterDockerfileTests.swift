import Deploy
import Testing

@Suite struct RingmasterDockerfileTests {
    let lines = RingmasterDockerfile.text().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }

    @Test func twoStagesFromSwiftThenSlimUbuntu() {
        let stages = lines.filter { $0.hasPrefix("FROM ") }
        #expect(stages == ["FROM swift:${SWIFT_VERSION}-noble AS build", "FROM ubuntu:24.04"])
        #expect(lines.contains("ARG SWIFT_VERSION=\(RingmasterDockerfile.swiftVersion)"))
        #expect(RingmasterDockerfile.swiftVersion.hasPrefix("6."))
    }

    @Test func buildsTheReleaseBinaryAndCopiesIt() {
        #expect(lines.contains { $0.contains("swift build -c release --product ringmaster") })
        #expect(lines.contains("COPY --from=build /usr/local/bin/ringmaster /usr/local/bin/ringmaster"))
    }

    @Test func installsThePackagesEachStageNeeds() throws {
        let installs = lines.filter { $0.contains("apt-get install") }
        #expect(installs.count == 2)
        let build = Set(installs[0].split(separator: " ").map(String.init))
        let runtime = Set(installs[1].split(separator: " ").map(String.init))
        for package in ["libopenmpi-dev", "openmpi-bin", "libopenblas-dev", "libsqlite3-dev", "openssh-client"] {
            #expect(build.contains(package), "build stage lacks \(package)")
        }
        for package in ["openmpi-bin", "libopenblas0", "libsqlite3-0", "openssh-server"] {
            #expect(runtime.contains(package), "runtime stage lacks \(package)")
        }
    }
}
