import Foundation
import Testing

@Suite("The tutorial in docs/repl.md")
struct TutorialTests {
    @Test("the tutorial script produces exactly its expected transcript")
    func tutorialTranscript() async throws {
        let harness = try await ReplHarness()
        let (status, output) = try await harness.run(try ReplHarness.fixture("tutorial.repl").trimmingCharacters(in: .newlines), echo: true)
        if ProcessInfo.processInfo.environment["DECIDE_UPDATE_TUTORIAL"] != nil {
            try Data((output + "\n").utf8).write(to: ReplHarness.root.appendingPathComponent("Tests/ReplTests/Fixtures/tutorial.expected"))
        }
        #expect(status == 0)
        #expect(output + "\n" == (try ReplHarness.fixture("tutorial.expected")))
    }

    @Test("docs/repl.md embeds the tutorial's transcript unchanged")
    func documentEmbedsTranscript() throws {
        let document = try String(contentsOf: ReplHarness.root.appendingPathComponent("docs/repl.md"), encoding: .utf8)
        let expected = try ReplHarness.fixture("tutorial.expected")
        #expect(document.contains("```text\n" + expected + "```"))
    }
}
