import Foundation

/// The live one-line status rank 0 draws on a terminal: epoch, step, loss, accuracy,
/// throughput. Redrawn at most ten times a second; silent when not on a terminal.
final class ProgressLine {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private let start = Date()
    private var samples = 0

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(epoch: Int, epochs: Int, step: Int, loss: Double, accuracy: Double?) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        var line = String(format: "epoch %d/%d  step %d  loss %.4f", epoch + 1, epochs, step, loss)
        if let accuracy { line += String(format: "  acc %.4f", accuracy) }
        line += String(format: "  %.0fs", Date().timeIntervalSince(start))
        draw(line)
    }

    func epochDone(epoch: Int, validation: TrainingResult.Validation) {
        guard enabled else { return }
        var line = String(format: "epoch %d  validation loss %.4f", epoch, validation.loss)
        if let accuracy = validation.accuracy { line += String(format: "  accuracy %.4f", accuracy) }
        if let r2 = validation.r2 { line += String(format: "  r2 %.4f", r2) }
        draw(line + "\n")
    }

    func finish() {
        guard enabled else { return }
        draw("")
    }

    private func draw(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }
}
