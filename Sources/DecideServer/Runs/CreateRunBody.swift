import Foundation
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
    var constraints: [ConstraintBody]?
    var asOf: String?

    /// One of `constraints`: `{"offer" | "offers" | "channel" (none for a total), "max", "name"?}`.
    struct ConstraintBody: Decodable {
        var name: String?
        var offer: String?
        var offers: [String]?
        var channel: String?
        var max: Int

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case name, offer, offers, channel, max
        }

        init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, known: Set(CodingKeys.allCases.map(\.rawValue)))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeUnlessAbsent(String.self, forKey: .name)
            offer = try container.decodeUnlessAbsent(String.self, forKey: .offer)
            offers = try container.decodeUnlessAbsent([String].self, forKey: .offers)
            channel = try container.decodeUnlessAbsent(String.self, forKey: .channel)
            guard let max = try container.decodeIntegerIfPresent(Int.self, forKey: .max) else {
                throw DecodingError.keyNotFound(CodingKeys.max, .init(codingPath: decoder.codingPath, debugDescription: "missing"))
            }
            self.max = max
        }

        /// The constraint, or `422` naming `constraints[index]` and what is wrong.
        func constraint(at index: Int) throws -> VolumeConstraint {
            let field = "constraints[\(index)]"
            let selectors = [offer != nil, offers != nil, channel != nil].count { $0 }
            guard selectors <= 1 else { throw APIProblem.invalid("\(field): give at most one of offer, offers and channel", field: field) }
            guard max >= 0 else { throw APIProblem.invalid("\(field).max: must be 0 or more, got \(max)", field: "\(field).max") }
            if let name, !(1...256).contains(name.utf8.count) {
                throw APIProblem.invalid("\(field).name: must be 1 to 256 bytes", field: "\(field).name")
            }
            if let offers, offers.count > InputLimits.listValues {
                throw APIProblem.invalid("\(field).offers: at most \(InputLimits.listValues) offers", field: "\(field).offers")
            }
            let selector: VolumeConstraint.Selector =
                if let offer { .offer(offer) } else if let offers { .offers(offers) } else if let channel { .channel(channel) } else { .total }
            return VolumeConstraint(name: name, selector: selector, max: max)
        }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case flow, segment, filter, name, workers, batchSize, seed, maxErrors, memoryLimitMiB, instructionBudget
        case deadlineSeconds, dryRun, sample, chunkSize, constraints, asOf
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
        constraints = try container.decodeUnlessAbsent([ConstraintBody].self, forKey: .constraints)
        asOf = try container.decodeUnlessAbsent(String.self, forKey: .asOf)
    }

    /// `asOf` as a time, or `422` when it is not one.
    private func decisionTime() throws -> Date? {
        guard let asOf else { return nil }
        guard let time = Interaction.time(asOf) else {
            throw APIProblem.invalid(
                "asOf: \"\(asOf.prefix(60))\" is not a time: use ISO 8601 with a zone (2026-11-02T09:30:00Z) or a date (2026-11-02)",
                field: "asOf")
        }
        return time
    }

    /// The constraints given, each checked on its own (the planner checks them against the flow).
    private func checkedConstraints() throws -> [VolumeConstraint]? {
        guard let constraints else { return nil }
        guard constraints.count <= VolumeConstraint.maximumCount else {
            throw APIProblem.invalid(
                "constraints: \(constraints.count) given, at most \(VolumeConstraint.maximumCount)", field: "constraints")
        }
        return try constraints.enumerated().map { try $1.constraint(at: $0) }
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
                          chunkSize: chunkSize, constraints: try checkedConstraints(), asOf: try decisionTime())
    }
}
