import DecideStore
import DecisionEngine
import RunEngine

/// The body of `POST /api/v1/runs`: a flow, exactly one of a segment and a filter, and the options.
struct CreateRunBody: Decodable {
    var flow: String
    var segment: String?
    var filter: FilterInput?
    var name: String?
    var workers: Int?
    var batchSize: Int?
    var seed: UInt64?
    var maxErrors: Int?
    var memoryLimitMiB: Int?
    var instructionBudget: Int?
    var deadlineSeconds: Double?
    var dryRun: Bool?
    var sample: Int?
    var chunkSize: Int?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case flow, segment, filter, name, workers, batchSize, seed, maxErrors, memoryLimitMiB, instructionBudget
        case deadlineSeconds, dryRun, sample, chunkSize
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        flow = try container.decode(String.self, forKey: .flow)
        segment = try container.decodeUnlessAbsent(String.self, forKey: .segment)
        filter = try container.decodeUnlessAbsent(FilterInput.self, forKey: .filter)
        name = try container.decodeUnlessAbsent(String.self, forKey: .name)
        workers = try container.decodeIntegerIfPresent(Int.self, forKey: .workers)
        batchSize = try container.decodeIntegerIfPresent(Int.self, forKey: .batchSize)
        seed = try container.decodeIntegerIfPresent(UInt64.self, forKey: .seed)
        maxErrors = try container.decodeIntegerIfPresent(Int.self, forKey: .maxErrors)
        memoryLimitMiB = try container.decodeIntegerIfPresent(Int.self, forKey: .memoryLimitMiB)
        instructionBudget = try container.decodeIntegerIfPresent(Int.self, forKey: .instructionBudget)
        deadlineSeconds = try container.decodeUnlessAbsent(Double.self, forKey: .deadlineSeconds)
        dryRun = try container.decodeUnlessAbsent(Bool.self, forKey: .dryRun)
        sample = try container.decodeIntegerIfPresent(Int.self, forKey: .sample)
        chunkSize = try container.decodeIntegerIfPresent(Int.self, forKey: .chunkSize)
    }

    /// The engine's request.
    ///
    /// - Throws: ``APIProblem`` `422` for a `sample` without `dryRun` or below 0.
    func runRequest() throws -> RunRequest {
        guard FlowLibrary.isKey(flow) else {
            throw APIProblem.invalid(
                "flow must be a flow key (letters, digits, _ and -, as GET /api/v1/flows lists them), not a path",
                field: "flow")
        }
        if let sample {
            guard dryRun == true else { throw APIProblem.invalid("sample goes with dryRun: true", field: "sample") }
            guard sample >= 0 else { throw APIProblem.invalid("sample must be 0 or more, got \(sample)", field: "sample") }
        }
        return RunRequest(flow: flow, segment: segment, filter: filter?.text, name: name, workers: workers,
                          batchSize: batchSize, seed: seed, maxErrors: maxErrors,
                          limits: RunLimits(memoryLimitMiB: memoryLimitMiB, instructionBudget: instructionBudget,
                                            deadlineSeconds: deadlineSeconds),
                          chunkSize: chunkSize)
    }
}
