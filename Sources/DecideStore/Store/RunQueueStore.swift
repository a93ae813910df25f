import ServiceLifecycle
import Foundation

/// The store as a work queue shared by worker processes on any number of machines: a run starts by freezing its
/// audience and cutting it into chunks; workers claim chunks with a lease and a fencing token, commit their
/// batches under that token (``RunStore/commitBatch(_:)`` with ``RunBatchCommit/claim``), and finish or release
/// them; the last chunk finished completes the run. Each backend implements it; nothing backend-specific appears
/// here.
public protocol RunQueueStore: RunStore, CustomerStore, InteractionStore {
    /// What the store needs run in the background, for a host that runs its services in a `ServiceGroup` (a
    /// store opened with `runsServices: false`): PostgreSQL's connection pool; nothing for SQLite.
    var services: [any Service] { get }

    /// Starts a pending run (its audience frozen and cut into chunks of `options.chunkSize`), resumes an
    /// interrupted one, or leaves a running one as it is, and returns it. A run with nobody in its audience is
    /// completed at once.
    ///
    /// - Throws: `StoreError` `illegalTransition` for a run that ended (other than interrupted).
    func startRun(id: String) async throws -> RunRecord

    /// Records a worker process as alive. Registering again (a worker back after the store failed, whose
    /// unregistering could not reach it) renews the record and gives back any chunk it still held: a registration
    /// starts holding none.
    func registerWorker(_ worker: WorkerRegistration) async throws

    /// Records that the worker is alive and extends the leases of the chunks it holds.
    func workerHeartbeat(workerId: String, lease: LeasePolicy) async throws

    /// Releases the chunks the worker holds (they are claimable at once, not counted as abandoned) and forgets it.
    func unregisterWorker(id: String) async throws

    /// The worker processes whose last heartbeat is within the lease, oldest first.
    func workers(lease: LeasePolicy) async throws -> [WorkerProcess]

    /// Waits until there may be work to claim (a run created or queued again, a chunk given back), or `timeout`:
    /// `true` when woken by such an event, `false` on timeout. A store that cannot be woken (SQLite) sleeps.
    func waitForWork(upTo timeout: Duration) async -> Bool

    /// Claims a chunk for the worker: of run `runId` only, or of any run (the oldest running run with claimable
    /// work first, else the oldest pending run, which this starts). A chunk is claimable when pending or when its
    /// holder's lease expired; a chunk abandoned `lease.attempts` times fails its run instead.
    ///
    /// - Returns: The claim, or `nil` when there is nothing to claim now.
    func claimChunk(workerId: String, runId: String?, lease: LeasePolicy) async throws -> ChunkClaim?

    /// Streams the chunk's customers not yet committed, `batchSize` at a time, in id order: the members frozen when
    /// the run started, with their attributes as they are when each batch is read.
    func chunkBatches(_ claim: ChunkClaim, selection: SegmentSelection, batchSize: Int) async throws -> any CustomerBatchCursor

    /// Marks the claimed chunk done; the last chunk done completes the run. Returns the run.
    ///
    /// - Throws: `StoreError` `leaseLost` when the claim is no longer the chunk's current one.
    func finishChunk(_ claim: ChunkClaim) async throws -> RunRecord

    /// Gives the chunk back unfinished (claimable at once); with an `error`, it counts as abandoned and the error is
    /// kept as the chunk's last. Does nothing when the claim is no longer current.
    func releaseChunk(_ claim: ChunkClaim, error: String?) async throws

    /// Allocates the candidates of a run with volume constraints, holding `claim` (the run's allocation chunk): walks
    /// its pairs once in allocation order through a ``VolumeAllocator``, records the dropped ones with their reason,
    /// and in one transaction writes the accepted pairs as the run's results (ranked 1..k per customer in candidate
    /// order), the breakdowns, the funnel's `volume` step and the constraints' tallies, and ends the run (completed,
    /// or as it was ended while deciding, partial). An earlier attempt's drops are discarded first, so a run
    /// interrupted while allocating resumes into the same result. A cancellation asked for while allocating ends
    /// the run cancelled without recommendations. Returns the run as it is then.
    ///
    /// - Throws: `StoreError` `leaseLost` when the claim is no longer current.
    func allocate(_ claim: ChunkClaim, plan: AllocationPlan) async throws -> RunRecord

    /// Ends a running run (`failed` or `cancelled`, or `completed`) from any of its workers; a run that already
    /// ended is returned as it is. A run with volume constraints that is still deciding allocates what it decided
    /// first: its unfinished chunks are dropped, its allocation chunk is queued, and the allocation ends it so.
    func endRun(id: String, status: RunStatus, message: String, error: RunFailure?) async throws -> RunRecord

    /// Marks the running run interrupted (failed, resumable) when no live process can go on with it: none holds
    /// one of its chunks under a valid lease, and no live process works on any run or on this one. What a process
    /// working on the run does when it stops early. Returns the run marked, or `nil` when it goes on (or is not
    /// running).
    func interruptIfAbandoned(runId: String, lease: LeasePolicy) async throws -> RunRecord?
}

/// What the allocation of a run needs from its flow.
public struct AllocationPlan: Sendable, Hashable {
    /// How many pairs a customer may be accepted (`max_offers`), if capped.
    public var maxOffers: Int?
    /// Each offer's display name, for the offer breakdown.
    public var offerNames: [String: String]
    /// The index of the funnel's `volume` step: the number of the flow's stages.
    public var funnelIndex: Int

    /// A plan.
    public init(maxOffers: Int?, offerNames: [String: String], funnelIndex: Int) {
        self.maxOffers = maxOffers
        self.offerNames = offerNames
        self.funnelIndex = funnelIndex
    }
}
