import DecideStore
import Foundation
import TestSupport
import Testing

/// Interaction history: imports (CSV and JSON Lines, either spelling of the fields), idempotence by id, all or
/// nothing, reading newest first, counting, and erasing a customer's history, on every store.
@Suite("Interaction history")
struct InteractionTests {
    private func time(_ text: String) -> Date { Interaction.time(text)! }

    @Test("times are ISO 8601 with a zone or a date at 00:00 UTC, kept to the millisecond; anything else is refused")
    func times() {
        #expect(Interaction.time("2026-11-02") == Date(timeIntervalSince1970: 1_793_577_600))
        #expect(Interaction.time("2026-11-02T10:30:00.250+01:00") == Date(timeIntervalSince1970: 1_793_611_800.25))
        #expect(Interaction.time("2026-11-02T09:30:00Z") == Date(timeIntervalSince1970: 1_793_611_800))
        for bad in ["2026-11-02T09:30:00", "yesterday", "2026-13-02", "", "1793611800"] {
            #expect(Interaction.time(bad) == nil, "\(bad)")
        }
    }

    @Test("every millisecond of a second is shown as itself and read back as itself (binary fractions never lose one)")
    func millisecondsSurviveText() {
        let second: Int64 = 1_764_489_187_000
        for millisecond in second..<(second + 1000) {
            let text = Interaction.text(of: Date(milliseconds: millisecond))
            #expect(text.hasSuffix(String(format: ".%03dZ", Int(millisecond - second))), "\(millisecond): \(text)")
            #expect(Interaction.time(text)?.milliseconds == millisecond, "\(millisecond): \(text)")
        }
    }

    @Test("an import stores every row, skips ids stored already or repeated in the file, and is harmless again", arguments: StoreKind.available)
    func idempotentImport(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let csv = try temporary.write("history.csv", """
            id,customer_id,offer_id,channel,outcome,at
            a1,C1,card,email,sent,2026-11-01
            a2,C1,card,email,declined,2026-11-02T10:30:00.250+01:00
            ,C2,loan,,clicked,2026-11-03T00:00:00Z
            a1,C9,other,sms,sent,2026-11-04
            """)
        let first = try await temporary.store.importInteractions(from: .file(csv), onRejected: nil)
        #expect(first == InteractionImportSummary(stored: 3, skipped: 1))
        let again = try await temporary.store.importInteractions(from: .file(csv), onRejected: nil)
        // Rows without an id are always new.
        #expect(again == InteractionImportSummary(stored: 1, skipped: 3))
        let jsonl = try temporary.write("more.jsonl", """
            {"id": "b1", "customerId": "C1", "offerId": "loan", "outcome": "accepted", "at": "2026-11-05T08:00:00Z"}
            {"customer_id": "C1", "offer_id": "card", "outcome": "impression", "at": "2026-10-30"}
            """)
        #expect(try await temporary.store.importInteractions(from: .file(jsonl), onRejected: nil).stored == 2)
        let page = try await temporary.store.interactions(customerId: "C1", limit: 10, offset: 0)
        #expect(page.total == 4)
        #expect(page.interactions.map(\.outcome) == ["accepted", "declined", "sent", "impression"])
        #expect(page.interactions[1].at == time("2026-11-02T09:30:00.250Z"))
        #expect(page.interactions[1].channel == "email" && page.interactions[1].id == "a2")
        #expect(try await temporary.store.interactions(customerId: "C1", limit: 1, offset: 1).interactions.map(\.id) == ["a2"])
        #expect(try await temporary.store.countInteractions(InteractionFilter()) == 6)
        #expect(try await temporary.store.countInteractions(InteractionFilter(customerId: "C1", offerId: "card")) == 3)
        #expect(try await temporary.store.countInteractions(InteractionFilter(channel: "email", outcome: "sent")) == 1)
        #expect(try await temporary.store.deleteInteractions(customerId: "C1") == 4)
        #expect(try await temporary.store.interactions(customerId: "C1", limit: 10, offset: 0).total == 0)
        #expect(try await temporary.store.countInteractions(InteractionFilter()) == 2)
    }

    @Test("a bad row stops the import with its line, column and value and stores nothing; skipping invalid rows counts them", arguments: StoreKind.available)
    func allOrNothing(kind: StoreKind) async throws {
        let temporary = try await TemporaryStore.make(kind)
        let csv = try temporary.write("bad.csv", """
            customer_id,offer_id,outcome,at
            C1,card,sent,2026-11-01
            C2,card,Sent!,2026-11-01
            C3,card,sent,next tuesday
            C4,card,sent,2026-11-02
            """)
        let error = try await #require(throws: ImportError.self) {
            try await temporary.store.importInteractions(from: .file(csv), onRejected: nil)
        }
        #expect(error.line == 3 && error.column == 3 && error.field == "outcome")
        #expect(error.description.contains("\"Sent!\""))
        #expect(try await temporary.store.countInteractions(InteractionFilter()) == 0)
        let rejected = Rejections()
        let summary = try await temporary.store.importInteractions(from: .file(csv)) { rejected.add($0) }
        #expect(summary == InteractionImportSummary(stored: 2, skipped: 0, rejected: 2))
        #expect(rejected.lines == [3, 4])
        let unknown = try temporary.write("unknown.csv", "customer_id,offer_id,outcome,at,colour\nC1,card,sent,2026-11-01,red\n")
        let header = try await #require(throws: ImportError.self) {
            try await temporary.store.importInteractions(from: .file(unknown), onRejected: nil)
        }
        #expect(header.field == "colour" && header.column == 5)
    }

    /// The lines of the rows an import rejected.
    private final class Rejections: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [Int] = []
        func add(_ error: ImportError) { lock.withLock { seen.append(error.line ?? 0) } }
        var lines: [Int] { lock.withLock { seen } }
    }
}
