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
            #expect(Set(object.keys) == ["sampler", "function", "trials", "seeds", "first_seed", "median_best", "regret", "ms_per_trial", "best_per_seed"])
            #expect(object["sampler"] as? String == "tpe")
            #expect((object["best_per_seed"] as? [Double])?.count == 2)
        }
    }

    /// `--first-seed 3 --seeds 2` runs seeds 3 and 4: the last two of seeds 0…4.
    @Test func firstSeedShiftsTheSeeds() throws {
        func bests(_ arguments: [String]) throws -> [Double] {
            let result = try CLI().run(
                ["bench", "sampler", "--function", "branin", "--trials", "12"] + arguments, withStore: false)
            #expect(result.status == 0, "\(result.stderr)")
            let object = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            return try #require(object["best_per_seed"] as? [Double])
        }
        #expect(try bests(["--seeds", "2", "--first-seed", "3"]) == Array(bests(["--seeds", "5"]).suffix(2)))
    }

    @Test func unknownNamesFailWithOneLine() throws {
        for arguments in [
            ["--sampler", "bogus"], ["--function", "sphere"], ["--bandwidth", "wide"], ["--first-seed=-1"],
            ["--local-width", "0"], ["--local-candidates=-2"], ["--clip-exponent", "0"], ["--move-every=-1"],
            ["--move-distance", "0.7"],
        ] {
            let result = try CLI().run(["bench", "sampler", "--trials", "2", "--seeds", "1"] + arguments, withStore: false)
            #expect(result.status == 1)
            #expect(result.ringmasterErrors.count == 1, "\(result.stderr)")
        }
    }
}
