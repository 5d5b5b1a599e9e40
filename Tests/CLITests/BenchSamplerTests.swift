import Foundation
import Testing
import TestSupport

/// `ringmaster bench sampler` prints one JSON object per function with the documented fields,
/// and rejects unknown samplers and functions in one line.
@Suite struct BenchSamplerTests {
    @Test func printsOneResultPerFunction() throws {
        let result = try CLI().run(["bench", "sampler", "--function", "all", "--trials", "12", "--seeds", "2"], withStore: false)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["sampler", "function", "trials", "seeds", "median_best", "regret", "ms_per_trial", "best_per_seed"])
            #expect(object["sampler"] as? String == "tpe")
            #expect((object["best_per_seed"] as? [Double])?.count == 2)
        }
    }

    @Test func unknownNamesFailWithOneLine() throws {
        for arguments in [["--sampler", "bogus"], ["--function", "sphere"], ["--bandwidth", "wide"]] {
            let result = try CLI().run(["bench", "sampler", "--trials", "2", "--seeds", "1"] + arguments, withStore: false)
            #expect(result.status == 1)
            #expect(result.ringmasterErrors.count == 1, "\(result.stderr)")
        }
    }
}
