import Foundation
import RingmasterCore

/// The live table of trials a sweep draws on a terminal (rank 0): redrawn at most twice a
/// second, newest trials last, best value marked.
final class SweepDisplay: @unchecked Sendable {
    // Invariant: used only from the coordinator thread.
    private let direction: OptimizationDirection
    private let objective: String
    private var lastDraw = Date.distantPast
    private var lines = 0

    init?(direction: OptimizationDirection, objective: String) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.direction = direction
        self.objective = objective
    }

    func draw(_ trials: [TrialRecord], force: Bool = false) {
        guard force || Date().timeIntervalSince(lastDraw) > 0.5 else { return }
        lastDraw = Date()
        let best = trials.filter { $0.state == .completed }.compactMap { t in t.value.map { (t.number, $0) } }
            .min { direction.loss($0.1) < direction.loss($1.1) }?.0
        var text = lines > 0 ? "\u{1B}[\(lines)A\u{1B}[J" : ""
        let shown = trials.suffix(15)
        text += String(format: "%-6@ %-10@ %-12@ %-8@ %@\n", "TRIAL" as NSString, "STATE" as NSString,
                       objective.prefix(12) as NSString, "EPOCHS" as NSString, "PARAMS" as NSString)
        for trial in shown {
            let value = trial.value.map { String(format: "%.5g", $0) } ?? trial.intermediate.sorted { $0.key < $1.key }.last.map { String(format: "(%.4g)", $0.value) } ?? "-"
            let params = trial.params.sorted { $0.key < $1.key }.map { "\($0.key.split(separator: ".").last ?? "")=\($0.value)" }
                .joined(separator: " ")
            text += String(format: "%-6@ %-10@ %-12@ %-8@ %@\n", "\(trial.number)\(trial.number == best ? "*" : "")" as NSString,
                           trial.state.rawValue as NSString, value as NSString, "\(trial.intermediate.count)" as NSString,
                           String(params.prefix(60)) as NSString)
        }
        lines = shown.count + 1
        FileHandle.standardError.write(Data(text.utf8))
    }
}
