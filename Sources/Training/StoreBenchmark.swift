import Foundation
import RingmasterCore

/// Measures a metadata store the way training and people use it.
///
/// Logging: `runs` runs one after another, each handing `metrics` points per step for
/// `steps` steps to a ``MetricWriter`` (the background batched writer the trainer uses,
/// with the trainer's flush interval and batch size), timed from the first point until
/// ``MetricWriter/finish()`` returns, when every point is committed.
///
/// Search: a store holding `searchRuns` runs, each with 5 params, 3 tags and 5 metrics
/// (written untimed with ``MetadataStore/importRuns(_:)``), is searched with
/// `metrics.accuracy > 0.9 and params.lr = '0.01'` ordered by `metrics.accuracy DESC`,
/// first with `LIMIT 100` and then without a limit; each time is the median of
/// `searchRepeats` searches after one warm-up. The values are a pure function of the run's
/// index (``searchRun(_:)``), so `benchmarks/mlflow_logging.py` builds the same runs for MLflow.
public struct StoreBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var runs: Int
        public var steps: Int
        public var metrics: Int
        public var searchRuns: Int
        /// How points reach the store.
        public var writePath = "MetricWriter"
        public var points: Int
        public var loggingSeconds: Double
        /// Points committed per second of logging.
        public var pointsPerSec: Double
        /// Median milliseconds of the search with `LIMIT 100`, run records included.
        public var searchMs: Double
        /// Median milliseconds of the same search without a limit.
        public var searchAllMs: Double
        /// Runs the search matches (the unlimited search's count).
        public var matched: Int
        public var searchRepeats: Int
        /// Seconds spent writing the runs searched (set-up, not part of any figure above).
        public var populateSeconds: Double
    }

    /// Runs logged, one after another. Default 5.
    public var runs = 5
    /// Steps per run. Default 200.
    public var steps = 200
    /// Metric keys logged at every step. Default 10.
    public var metrics = 10
    /// Runs in the searched experiment. Default 10,000.
    public var searchRuns = 10_000
    /// Timed searches per figure (median). Default 9.
    public var searchRepeats = 9

    public init() {}

    /// The searched query, with or without its limit.
    public static func searchQuery(experiment: String, limit: Int?) -> RunQuery {
        RunQuery(
            experiment: experiment,
            filter: .and(
                .comparison(.metric("accuracy"), .greater, .number(0.9)),
                .comparison(.param("lr"), .equal, .string("0.01"))),
            orderBy: [RunOrder(field: .metric("accuracy"), ascending: false)], limit: limit)
    }

    public func run(store: any MetadataStore) throws -> Result {
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let loggingSeconds = try logRuns(store: store, experiment: "bench-logging-\(suffix)")
        let searched = "bench-search-\(suffix)"
        let populateSeconds = try Self.seconds { try populate(store: store, experiment: searched) }

        let (limited, _) = try timeSearch(store, Self.searchQuery(experiment: searched, limit: 100))
        let (all, matched) = try timeSearch(store, Self.searchQuery(experiment: searched, limit: nil))
        let points = runs * steps * metrics
        return Result(
            runs: runs, steps: steps, metrics: metrics, searchRuns: searchRuns, points: points,
            loggingSeconds: loggingSeconds, pointsPerSec: Double(points) / loggingSeconds,
            searchMs: limited * 1000, searchAllMs: all * 1000, matched: matched, searchRepeats: searchRepeats,
            populateSeconds: populateSeconds)
    }

    /// Seconds from each run's first point to its writer's finish, summed over the runs.
    private func logRuns(store: any MetadataStore, experiment: String) throws -> Double {
        let keys = (0..<metrics).map { "metric_\($0)" }
        var total = 0.0
        for index in 0..<runs {
            let run = try store.createRun(
                experiment: experiment, name: "bench-\(index)", params: ["lr": "0.01", "batch_size": "64"],
                tags: ["benchmark": "store"], environment: [:])
            var problem: String?
            total += Self.seconds {
                let writer = MetricWriter(store: store, runID: run.id)
                var points: [MetricPoint] = []
                points.reserveCapacity(keys.count)
                for step in 0..<steps {
                    let now = Date()
                    points.removeAll(keepingCapacity: true)
                    for (k, key) in keys.enumerated() {
                        points.append(MetricPoint(key: key, step: step, value: Double(k) + 1 / Double(step + 1), timestamp: now))
                    }
                    writer.log(points)
                }
                problem = writer.finish()
            }
            if let problem { throw StoreError.unavailable(problem) }
            try store.endRun(run.id, status: .finished, reason: nil)
        }
        return total
    }

    /// Writes the searched runs, 2,000 to a transaction.
    private func populate(store: any MetadataStore, experiment: String) throws {
        let start = Date()
        for first in stride(from: 0, to: searchRuns, by: 2000) {
            try store.importRuns((first..<min(searchRuns, first + 2000)).map { index in
                let (params, tags, values) = Self.searchRun(index)
                let time = start.addingTimeInterval(Double(index - searchRuns))
                let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                let run = RunRecord(
                    id: id, experiment: experiment, name: "search-\(index)", status: .finished, startTime: time,
                    endTime: time.addingTimeInterval(30), params: params, tags: tags)
                return (run, values.map { MetricPoint(key: $0.key, step: 0, value: $0.value, timestamp: time) })
            })
        }
    }

    /// Runs `query` once to warm up, then `searchRepeats` times: the median in seconds, and
    /// how many runs it returns.
    private func timeSearch(_ store: any MetadataStore, _ query: RunQuery) throws -> (seconds: Double, runs: Int) {
        let count = try store.searchRuns(query).count
        var times: [Double] = []
        for _ in 0..<max(1, searchRepeats) {
            times.append(try Self.seconds { _ = try store.searchRuns(query) })
        }
        times.sort()
        let middle = times.count / 2
        return (times.count % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2, count)
    }

    /// Params, tags and metric values of the `index`-th searched run. About a quarter of the
    /// runs have `lr = 0.01` and a tenth `accuracy > 0.9`, so ~2.5% match the search.
    public static func searchRun(_ index: Int) -> (params: [String: String], tags: [String: String], metrics: [String: Double]) {
        func fraction(_ multiplier: Int) -> Double { Double((index * multiplier) % 10_007) / 10_007 }
        let accuracy = fraction(7919)
        return (
            params: [
                "lr": ["0.1", "0.01", "0.001", "0.0001"][index % 4],
                "batch_size": ["32", "64", "128", "256"][(index / 4) % 4],
                "optimizer": ["sgd", "adam", "adamw"][index % 3],
                "epochs": "\(10 + index % 20)",
                "seed": "\(index)",
            ],
            tags: ["team": ["vision", "nlp", "tabular"][index % 3], "model": "mlp-\(index % 5)",
                   "stage": index % 10 == 0 ? "production" : "development"],
            metrics: ["accuracy": accuracy, "loss": 1 - accuracy, "f1": fraction(104_729),
                      "precision": fraction(1_299_709), "recall": fraction(15_485_863)])
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
