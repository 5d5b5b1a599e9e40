/// Something outside the training thread that may end the whole job, such as a watchdog that
/// finds a rank lost: the training thread is then blocked in a collective that will never
/// complete, so it cannot record the failure itself.
///
/// Before ending the process the notifier calls every registered handler once, on its own
/// thread, with the reason in one line; rank 0's trainer marks the run failed with it.
public protocol JobFailureNotifier: AnyObject, Sendable {
    /// Registers `handler` to be called with the reason before the job is ended. Handlers
    /// must return promptly (the rest of the job is being ended meanwhile).
    func onFailure(_ handler: @escaping @Sendable (String) -> Void)
}
