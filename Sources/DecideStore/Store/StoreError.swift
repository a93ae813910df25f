/// A store operation that cannot be done: an unknown segment, customer or run, a name taken, a run status change
/// not allowed, or a database failure.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case segmentNotFound, segmentExists, reservedSegment, invalidName, customerNotFound, invalidArgument, database
            case runNotFound, illegalTransition, runNotRunning, runActive, leaseLost, notReleasable
        }

        private let base: Base

        /// No saved segment has that name.
        public static let segmentNotFound = Code(base: .segmentNotFound)
        /// A segment with that name exists and `replace` was not asked for.
        public static let segmentExists = Code(base: .segmentExists)
        /// The segment `all` cannot be created, replaced or deleted.
        public static let reservedSegment = Code(base: .reservedSegment)
        /// A segment name that is empty or has characters other than letters, digits, `_`, `-` and `.`.
        public static let invalidName = Code(base: .invalidName)
        /// No customer has that id.
        public static let customerNotFound = Code(base: .customerNotFound)
        /// An argument out of range, such as a batch size below 1.
        public static let invalidArgument = Code(base: .invalidArgument)
        /// The database failed (it cannot be opened, is corrupt, or is busy for too long).
        public static let database = Code(base: .database)
        /// No run has that id.
        public static let runNotFound = Code(base: .runNotFound)
        /// A run status change the lifecycle forbids, such as completed → running.
        public static let illegalTransition = Code(base: .illegalTransition)
        /// A batch committed to a run that is not running.
        public static let runNotRunning = Code(base: .runNotRunning)
        /// A run that is pending or running cannot be deleted.
        public static let runActive = Code(base: .runActive)
        /// A chunk commit whose claim is no longer the chunk's current one: its lease ran out and another worker
        /// took the chunk over.
        public static let leaseLost = Code(base: .leaseLost)

        /// A run released already, or not completed: it cannot be released.
        public static let notReleasable = Code(base: .notReleasable)

        /// Whether the problem lies in the input rather than in the database or the run's state.
        public var isInvalidInput: Bool { ![.database, .runActive, .leaseLost, .notReleasable].contains(base) }

        /// The code's name, such as `segmentNotFound`.
        public var description: String { base.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// The problem, in words.
    public var message: String
    /// The segment name, customer id or run id at fault, if any.
    public var value: String?

    /// Creates a store error.
    public init(_ code: Code, _ message: String, value: String? = nil) {
        self.code = code
        self.message = message
        self.value = value
    }

    /// The problem, in words.
    public var description: String { message }
}
