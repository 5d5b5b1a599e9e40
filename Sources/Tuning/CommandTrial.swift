import Foundation
import RingmasterCore

/// A trial that runs any program (`command:` in the sweep), so sweeps can drive PyTorch or
/// anything else. `{name}` in the template becomes the trial's value of parameter `name`
/// (the full name or its last dotted part). The program learns its trial from
/// `RINGMASTER_SWEEP_ID`, `RINGMASTER_TRIAL_NUMBER` and `RINGMASTER_TRIAL_ID`, and reports
/// metrics on standard output, one per line, either as
/// `ringmaster-metric NAME=VALUE step=N` or as a JSON object `{"NAME": VALUE, "step": N}`.
/// Each value of the objective is an intermediate report (the scheduler may stop the
/// program); the last one is the result. A non-zero exit or the timeout fails the trial.
struct CommandTrial {
    let template: String
    let timeout: Double?
    let objective: String
    let sweepID: String
    let channel: CoordinatorChannel
    let store: any MetadataStore
    let experiment: String

    func command(for params: ParameterAssignment) -> String {
        var text = template
        for (name, value) in params {
            text = text.replacingOccurrences(of: "{\(name)}", with: "\(value)")
            if let short = name.split(separator: ".").last { text = text.replacingOccurrences(of: "{\(short)}", with: "\(value)") }
        }
        return text
    }

    func run(number: Int, params: ParameterAssignment) throws -> TrialOutcome {
        let line = command(for: params)
        let run = try store.createRun(
            experiment: experiment, name: "\(experiment)-trial-\(number)", params: params.mapValues(\.description),
            tags: ["ringmaster.sweep": sweepID, "ringmaster.trial": "\(number)", "ringmaster.source": "command",
                   "ringmaster.command": line],
            environment: ["host": ProcessInfo.processInfo.hostName])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", line]
        var environment = ProcessInfo.processInfo.environment
        environment["RINGMASTER_SWEEP_ID"] = sweepID
        environment["RINGMASTER_TRIAL_NUMBER"] = "\(number)"
        environment["RINGMASTER_TRIAL_ID"] = "\(sweepID)/\(number)"
        environment["RINGMASTER_RUN_ID"] = run.id
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let errorTail = OutputTail(limit: 4096)
        errors.fileHandleForReading.readabilityHandler = { errorTail.append($0.availableData) }
        do { try process.run() } catch {
            try store.endRun(run.id, status: .failed, reason: "cannot start: \(error.localizedDescription)")
            throw CommandTrialError(message: "trial \(number): cannot start '\(line)': \(error.localizedDescription)")
        }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        defer { watchdog.cancel() }

        var last: Double?
        var pruned = false
        var step = 0
        var pending = Data()
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let text = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                guard let metrics = Self.parse(text) else { continue }
                step = metrics.step ?? step + 1
                try store.logMetrics(run: run.id, metrics.values.map { MetricPoint(key: $0.key, step: step, value: $0.value) })
                guard let value = metrics.values[objective] else { continue }
                last = value
                if case .stop = try channel.ask(.report(trial: number, resource: step, value: value, state: nil)) {
                    pruned = true
                    process.terminate()
                }
            }
        }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        if pruned {
            try store.endRun(run.id, status: .killed, reason: "stopped by the sweep's scheduler")
            return TrialOutcome(value: last, runID: run.id, pruned: true)
        }
        if let deadline, Date() >= deadline {
            let reason = "timed out after \(timeout!) s"
            try store.endRun(run.id, status: .failed, reason: reason)
            throw CommandTrialError(message: "trial \(number): \(reason): \(line)")
        }
        guard process.terminationStatus == 0 else {
            let reason = "exit status \(process.terminationStatus)" + (errorTail.lastLine.map { ": \($0)" } ?? "")
            try store.endRun(run.id, status: .failed, reason: reason)
            throw CommandTrialError(message: "trial \(number): '\(line)' failed with \(reason)")
        }
        guard last != nil else {
            let reason = "reported no '\(objective)' metric on standard output"
            try store.endRun(run.id, status: .failed, reason: reason)
            throw CommandTrialError(message: "trial \(number): '\(line)' \(reason)")
        }
        try store.endRun(run.id, status: .finished, reason: nil)
        return TrialOutcome(value: last, runID: run.id, pruned: false)
    }

    /// Metrics in one output line, or nil for any other line.
    static func parse(_ line: String) -> (values: [String: Double], step: Int?)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("ringmaster-metric ") {
            var values: [String: Double] = [:]
            var step: Int?
            for field in text.dropFirst("ringmaster-metric ".count).split(separator: " ") {
                let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                if pair[0] == "step" { step = Int(pair[1]) } else if let value = Double(pair[1]) { values[pair[0]] = value }
            }
            return values.isEmpty ? nil : (values, step)
        }
        guard text.hasPrefix("{"), let object = try? JSONDecoder().decode([String: JSONNumber].self, from: Data(text.utf8)) else {
            return nil
        }
        var values: [String: Double] = [:]
        for (key, value) in object where key != "step" {
            if case .number(let number) = value { values[key] = number }
        }
        var step: Int?
        if case .number(let number) = object["step"] { step = Int(number) }
        return values.isEmpty ? nil : (values, step)
    }
}

/// A JSON value that is a number, or anything else (ignored).
enum JSONNumber: Decodable {
    case number(Double)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = (try? container.decode(Double.self)).map(JSONNumber.number) ?? .other
    }
}

/// An external trial failed (start, exit status, timeout, no metric); the sweep goes on.
struct CommandTrialError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

