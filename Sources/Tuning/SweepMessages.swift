import Foundation
import RingmasterCore

/// What a group's leader asks the sweep coordinator (world rank 0). Every request gets
/// exactly one ``SweepReply`` on ``SweepProtocol/replyTag``.
enum SweepRequest: Codable, Sendable {
    /// The group is free: the next trial, or `done` when the budget or the space is used up.
    case next(group: Int)
    /// The objective after `resource` epochs (or reported steps); answered with a decision.
    /// Under population-based training, `state` carries the trial's weights for others to copy.
    case report(trial: Int, resource: Int, value: Double, state: Data?)
    /// The trial ended; `value` is its final objective. `pruned` when the scheduler stopped it.
    case finish(trial: Int, value: Double?, runID: String?, pruned: Bool)
    /// The trial threw; the group goes on with the next one.
    case fail(trial: Int, error: String, runID: String?)
    /// A write the group's training run makes to the store (only rank 0 writes to it).
    case store(StoreCall)
}

enum SweepReply: Codable, Sendable {
    case trial(number: Int, params: ParameterAssignment, maxResource: Int)
    case done
    case proceed
    case stop
    /// Population-based training: continue from `state` (another trial's) with `params`.
    case exploit(state: Data, params: ParameterAssignment)
    case acknowledged
    /// A store call's JSON-encoded result.
    case stored(Data)
    case storeFailed(String)
}

/// The store writes a training run makes, carried to the coordinator.
enum StoreCall: Codable, Sendable {
    case createRun(experiment: String, name: String, params: [String: String], tags: [String: String], environment: [String: String])
    case logParams(run: String, params: [String: String])
    case setTags(run: String, tags: [String: String])
    case logMetrics(run: String, points: [MetricPoint])
    case endRun(run: String, status: RunStatus, reason: String?)
    case storeArtifact(run: String, name: String, kind: String, contents: Data)
    case recordDatasetVersion(NewDatasetVersion)
    case addLineage(LineageEdge)

    /// Applies the call to `store` and returns its JSON-encoded result.
    func apply(to store: any MetadataStore) throws -> Data {
        let encoder = JSONEncoder()
        switch self {
        case .createRun(let experiment, let name, let params, let tags, let environment):
            return try encoder.encode(store.createRun(
                experiment: experiment, name: name, params: params, tags: tags, environment: environment))
        case .logParams(let run, let params): try store.logParams(run: run, params)
        case .setTags(let run, let tags): try store.setTags(run: run, tags)
        case .logMetrics(let run, let points): try store.logMetrics(run: run, points)
        case .endRun(let run, let status, let reason): try store.endRun(run, status: status, reason: reason)
        case .storeArtifact(let run, let name, let kind, let contents):
            return try encoder.encode(store.storeArtifact(run: run, name: name, kind: kind, contents: contents))
        case .recordDatasetVersion(let version): return try encoder.encode(store.recordDatasetVersion(version))
        case .addLineage(let edge): try store.addLineage(edge)
        }
        return Data()
    }
}

/// The wire: JSON on a communicator reserved for the sweep, requests to rank 0.
enum SweepProtocol {
    static let requestTag = 101
    static let replyTag = 102

    static func encode<T: Encodable>(_ value: T) throws -> Data { try JSONEncoder().encode(value) }
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T { try JSONDecoder().decode(type, from: data) }

}

/// A process's line to the coordinator. Requests and replies pair up by order, so one
/// exchange at a time: the trainer's thread and its metric writer share the channel.
///
/// `@unchecked Sendable`: `comm` is used only with `lock` held.
final class CoordinatorChannel: @unchecked Sendable {
    private let comm: any Communicator
    private let lock = NSLock()

    init(comm: any Communicator) { self.comm = comm }

    /// Sends `request` to the coordinator and waits for its reply.
    func ask(_ request: SweepRequest) throws -> SweepReply {
        try lock.withLock {
            try comm.send(try SweepProtocol.encode(request), to: 0, tag: SweepProtocol.requestTag)
            return try SweepProtocol.decode(SweepReply.self, try comm.receiveMessage(from: 0, tag: SweepProtocol.replyTag).data)
        }
    }
}
