import RingmasterCore

/// Checks of scheduler settings, shared by every scheduler's throwing initialiser so that a
/// bad sweep spec fails before any trial starts, naming the sweep-spec field to fix.
enum SchedulerSetting {
    static func requirePositive(_ value: Int, field: String) throws {
        guard value >= 1 else { throw TuningError.invalidSetting(field: field, reason: "must be at least 1, got \(value)") }
    }

    static func require(_ condition: Bool, field: String, _ reason: @autoclosure () -> String) throws {
        guard condition else { throw TuningError.invalidSetting(field: field, reason: reason()) }
    }

    /// The loss of a reported value: smaller is better in both directions; NaN is worst of all.
    static func loss(_ value: Double, _ direction: OptimizationDirection) -> Double {
        value.isNaN ? .infinity : direction.loss(value)
    }
}
