import Foundation
import DecideStore
import Testing
import TestSupport

/// Every operator, precedence and NULL semantics against answers computed by hand from `people.csv`.
@Suite("Filter evaluation")
struct FilterEvaluationTests {
    /// The fixture in every store kind: each answer must be the same in all of them.
    let stores: [TemporaryStore]

    init() async throws {
        var stores: [TemporaryStore] = []
        for kind in StoreKind.available { stores.append(try await TemporaryStore.withPeople(kind)) }
        self.stores = stores
    }

    /// The ids `selection` selects, checked to be the same in every store.
    private func ids(_ selection: SegmentSelection) async throws -> [String] {
        let first = try await stores[0].ids(selection)
        for store in stores.dropFirst() {
            #expect(try await store.ids(selection) == first, "\(store.kind) disagrees with \(stores[0].kind) on \(selection)")
        }
        return first
    }

    private func ids(_ expression: String) async throws -> [String] {
        try await ids(.expression(expression))
    }

    @Test("comparisons select by value and never match a missing value", arguments: [
        ("age >= 30", ["c1", "c3", "c5", "c6"]),
        ("age > 30", ["c1", "c3", "c6"]),
        ("age < 30", ["c2"]),
        ("age <= 30", ["c2", "c5"]),
        ("age = 30", ["c5"]),
        ("age != 30", ["c1", "c2", "c3", "c6"]),
        ("income > 50000", ["c1", "c4", "c6"]),
        ("income <= 50000", ["c3", "c5"]),
        ("income >= 62000.5", ["c1", "c6"]),
        ("region != \"south\"", ["c1", "c3", "c4", "c5", "c6"]),
        ("name = 'Ágnes'", ["c3"]),
    ])
    func comparisons(filter: String, expected: [String]) async throws {
        #expect(try await ids(filter) == expected)
    }

    @Test("in, not in, contains, starts with and matches", arguments: [
        (#"region in ("north", "west")"#, ["c1", "c3", "c5", "c6"]),
        (#"region not in ("north", "west")"#, ["c2", "c4"]),
        (#"age in (25, 52)"#, ["c2", "c6"]),
        (#"notes contains "vip""#, ["c1"]),
        (#"notes contains "100%""#, ["c3"]),
        (#"notes contains "_""#, ["c6"]),
        (#"notes contains "\"organic\"""#, ["c3"]),
        (#"name starts with "A""#, ["c1", "c4"]),
        (#"name starts with "a""#, []),
        (#"email matches "^[a-z.]+@example\.com$""#, ["c1", "c2", "c4", "c6"]),
        (#"notes matches "^multi\nline$""#, ["c5"]),
    ])
    func textOperators(filter: String, expected: [String]) async throws {
        #expect(try await ids(filter) == expected)
    }

    @Test("booleans, null checks and negation follow SQL's three-valued logic", arguments: [
        ("app_user", ["c1", "c4", "c6"]),
        ("not app_user", ["c2", "c5"]),
        ("not has_loan", ["c1", "c3", "c6"]),
        ("has_loan = false", ["c1", "c3", "c6"]),
        ("has_loan != true", ["c1", "c3", "c6"]),
        ("email is null", ["c5"]),
        ("email is not null", ["c1", "c2", "c3", "c4", "c6"]),
        ("age is null", ["c4"]),
        ("not (age > 40)", ["c1", "c2", "c5"]),
        ("income > 50000 or income <= 50000", ["c1", "c3", "c4", "c5", "c6"]),
    ])
    func nullSemantics(filter: String, expected: [String]) async throws {
        #expect(try await ids(filter) == expected)
    }

    @Test("and binds tighter than or; parentheses and keyword case change nothing else", arguments: [
        (#"region = "north" or region = "west" and age > 45"#, ["c1", "c5", "c6"]),
        (#"(region = "north" or region = "west") and age > 45"#, ["c6"]),
        (#"age >= 30 AND region IN ('north') Or NOT app_user"#, ["c1", "c2", "c5"]),
        ("app_user = true and (income > 100000 or age < 30)", ["c6"]),
        ("", ["c1", "c2", "c3", "c4", "c5", "c6"]),
    ])
    func precedence(filter: String, expected: [String]) async throws {
        #expect(try await ids(filter) == expected)
    }

    @Test("the segment all selects every customer")
    func allSegment() async throws {
        #expect(try await stores[0].store.count(.named("all")) == 6)
    }

    @Test("the JSON form selects what the equivalent text selects")
    func jsonForm() async throws {
        let json = #"""
            {"all": [{"field": "age", "op": "gte", "value": 30},
                     {"any": [{"field": "region", "op": "in", "value": ["north", "west"]},
                              {"field": "email", "op": "is_null"}]},
                     {"not": {"field": "has_loan", "op": "eq", "value": true}}]}
            """#
        let filter = try Filter(json: Data(json.utf8))
        let text = #"age >= 30 and (region in ("north", "west") or email is null) and not has_loan = true"#
        #expect(filter == (try Filter(parsing: text)))
        #expect(try await ids(.filter(filter)) == ids(text))
        #expect(try await ids(.filter(filter)) == ["c1", "c3", "c6"])
    }

    @Test("any of nothing selects nobody and all of nothing everybody, in the JSON and the text form", arguments: [
        (#"{"any": []}"#, 0), (#"{"all": []}"#, 6), (#"{"not": {"any": []}}"#, 6),
        (#"{"all": [{"any": []}, {"field": "age", "op": "gte", "value": 30}]}"#, 0),
        (#"{"any": [{"all": []}, {"field": "age", "op": "gte", "value": 99}]}"#, 6),
    ])
    func emptyGroups(json: String, count: Int) async throws {
        let filter = try Filter(json: Data(json.utf8))
        #expect(try await ids(.filter(filter)).count == count)
        #expect(try Filter(parsing: filter.description) == filter)
        #expect(try await ids(filter.description).count == count)
    }

    @Test("false and true are filters: nobody and everyone")
    func constants() async throws {
        #expect(try await ids("false").isEmpty)
        #expect(try await ids("true").count == 6)
        #expect(try await ids("age >= 30 or false") == ["c1", "c3", "c5", "c6"])
    }
}
