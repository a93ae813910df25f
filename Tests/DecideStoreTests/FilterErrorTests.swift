import DecideStore
import Foundation
import Testing

/// Every filter error names its column and its problem.
@Suite("Filter errors")
struct FilterErrorTests {
    let people: TemporaryStore

    init() async throws {
        people = try await TemporaryStore.withPeople()
    }

    private func error(_ text: String) async throws -> FilterError {
        do {
            _ = try await people.store.count(.expression(text))
        } catch let error as FilterError {
            #expect(error.source == text)
            return error
        }
        Issue.record("\(text) was accepted")
        return FilterError(.syntax, "", column: nil, source: nil)
    }

    @Test("an unknown field suggests the near miss and lists the known fields")
    func unknownField() async throws {
        let error = try await error("age >= 30 and agee > 3")
        #expect(error.code == .unknownField)
        #expect(error.description == #"filter: column 15: unknown field "agee" (did you mean "age"?); known fields: id, name, age, income, region, has_loan, app_user, notes, email"#)
        #expect(try await self.error("zzzzzz = 1").message.hasPrefix(#"unknown field "zzzzzz"; known fields: id,"#))
    }

    @Test("each error has its code, column and message", arguments: [
        (#"age > "old""#, FilterError.Code.typeMismatch, 7, #""age" is an integer field and cannot be compared with the text "old""#),
        (#"name contains 5"#, .typeMismatch, 15, #""name" is a text field and cannot be compared with the integer 5"#),
        (#"age contains "1""#, .typeMismatch, 1, #""contains" needs a text field, but "age" is an integer field"#),
        (#"app_user > true"#, .typeMismatch, 1, #""app_user" is a boolean field: it takes "=" and "!=", not ">""#),
        (#"name = "Bob"#, .unterminatedString, 8, "unterminated string"),
        (#"age >= 30 and"#, .unexpectedEnd, 11, #"expected a condition after "and" but the filter ends"#),
        (#"age >="#, .unexpectedEnd, 5, #"expected a value (a number, a quoted string, true or false) after ">=" but the filter ends"#),
        (#"region in ()"#, .emptyList, 11, #"empty list "()": give at least one value"#),
        (#"email matches "[a-""#, .invalidRegex, 15, #"invalid regular expression "[a-""#),
        (#"(age > 3"#, .unexpectedEnd, 8, #"expected ")" to close the "(" at column 1 after "3" but the filter ends"#),
        (#"age = null"#, .syntax, 7, #"null is not a value: use "is null" or "is not null""#),
        (#"age 30"#, .syntax, 5, #"expected an operator after the field "age" but found "30""#),
        (#"age > 3 name"#, .syntax, 9, #"unexpected "name"; expected "and", "or" or the end of the filter"#),
        (#"age ~ 3"#, .syntax, 5, #"unexpected character "~""#),
    ])
    func messages(text: String, code: FilterError.Code, column: Int, message: String) async throws {
        let error = try await error(text)
        #expect(error.code == code)
        #expect(error.column == column)
        #expect(error.message == message)
        #expect(error.description == "filter: column \(column): \(message)")
    }

    @Test("an invalid filter is refused when a segment is saved")
    func invalidSegment() async throws {
        await #expect(throws: FilterError.self) {
            try await people.store.saveSegment(name: "bad", filter: "agee > 3", description: "", replace: false)
        }
        #expect(try await people.store.segments().map(\.segment.name) == ["all"])
    }

    @Test("a JSON form with an unknown operator is an invalid JSON error")
    func invalidJSON() {
        #expect(throws: FilterError.self) { try Filter(json: Data(#"{"field": "age", "op": "bigger", "value": 3}"#.utf8)) }
    }

    @Test("a filter prints as text that parses back to it")
    func roundTrip() async throws {
        let text = #"age >= 30 and (region in ("north", "we\"st") or not (email is null and name starts with "A\\b")) or app_user"#
        let filter = try Filter(parsing: text)
        #expect(try Filter(parsing: filter.description) == filter)
    }
}
