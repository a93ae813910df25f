import DecideRepl
import DecideStore
import Foundation
import LuaRuntime
import Testing

@Suite("REPL sessions")
struct ReplSessionTests {
    @Test("every error prints one message and the session goes on with the next line")
    func errorsDoNotEndTheSession() async throws {
        let harness = try await ReplHarness()
        let (status, output) = try await harness.run("""
            :step
            :bogus
            :flow nope
            :flow cross_sell
            :step
            :customer C999999999
            :customer {age = {}}
            :customer C000000001
            :why nothing
            :set = 3
            :set age =
            :unset nothing
            :help nothing
            :next
            :segment nope
            :filter age >=
            :result
            :diff
            = customer.nope.deeper
            = 1 +
            while true do end
            = 1 + 1
            """, keepGoing: true)
        #expect(status == 1)
        let expected = [
            "error: no flow loaded; use :flow KEY (arbitration, cross_sell, retention)",
            "error: unknown command :bogus; :help lists the commands",
            "error: unknown flow 'nope': no file",
            "error: no customer; use :customer ID or :customer {age = 30, ...}",
            "error: no customer has the id \"C999999999\"",
            "error: invalid customer: field \"age\": only text, numbers and booleans are allowed",
            "error: cross_sell has no offer nothing",
            "error: write :set FIELD = VALUE, e.g. :set income = 90000",
            "error: give a value: :set age = VALUE",
            "error: the customer has no field nothing",
            "error: no command :nothing; :help lists the commands",
            "error: no audience; use :segment NAME or :filter EXPR",
            "error: no run selected; :runs lists them, :use RUN selects one",
            "error: repl:1: attempt to index a nil value (field 'nope')",
            "error: repl:1: unexpected symbol near '1'\n",
            "instruction budget exceeded",
        ]
        for message in expected {
            #expect(output.contains(message), "missing: \(message)\n\(output)")
        }
        #expect(output.hasSuffix("\n2"))
    }

    @Test("a script stops at its first error with status 1 unless told to keep going")
    func scriptStopsAtFirstError() async throws {
        let harness = try await ReplHarness()
        let (status, output) = try await harness.run(":flow cross_sell\n:oops\n= 42")
        #expect(status == 1)
        #expect(!output.contains("42"))
        #expect(try await harness.run(":flow cross_sell\n= 42").status == 0)
    }

    @Test("a what-if on one field changes the decision, and :show marks it")
    func whatIfChangesDecision() async throws {
        let harness = try await ReplHarness()
        let before = try await harness.run(":flow cross_sell\n:customer C000000001\n:why loan_mortgage").output
        #expect(before.contains("dropped at stage 2/9, filter \"credit\": credit score 682 below 700"))
        let after = try await harness.run(":set credit_score = 760\n:why loan_mortgage\n:show").output
        #expect(after.contains("loan_mortgage (Home Mortgage) is recommended: rank 1"))
        #expect(after.contains("credit_score        760              (was 682)"))
    }

    @Test("an edited flow file is reloaded before the next command, and a broken edit keeps the last version")
    func editedFlowIsReloaded() async throws {
        let harness = try await ReplHarness()
        _ = try await harness.run(":flow cross_sell\n:customer C000000001\n:run")
        try harness.edit("cross_sell.lua", replacing: "rank { top = 3 }", with: "rank { top = 1 }")
        let reloaded = try await harness.run(":run").output
        #expect(reloaded.hasPrefix("\(harness.flows.path)/cross_sell.lua changed: reloaded"))
        #expect(reloaded.contains("1     loan_personal"))
        #expect(!reloaded.contains("2     loan_auto"))
        try harness.edit("cross_sell.lua", replacing: "rank { top = 1 }", with: "rank { top = ")
        let broken = try await harness.run(":stages\n:stages", keepGoing: true).output
        #expect(broken.components(separatedBy: "no longer loads; still using the previous version").count == 2)
        #expect(broken.contains("9  rank"))
    }

    @Test("stepping forward and back shows the candidates after each stage, and the prompt follows")
    func steppingAndPrompt() async throws {
        let harness = try await ReplHarness()
        #expect(try await harness.prompt() == "decide> ")
        let output = try await harness.run(":flow cross_sell\n:customer C000000001\n:step\n:step\n:step\n:back").output
        #expect(try await harness.prompt() == "cross_sell · C000000001 · 2/9> ")
        #expect(output.hasSuffix("""
            Stage 2/9: filter "credit": 14 in, 11 out
            OFFER            NAME                     SCORE  CHANNEL
            card_cashback    Cashback Credit Card     -      -
            loan_personal    Personal Loan            -      -
            loan_auto        Car Loan                 -      -
            savings_account  Savings Account          -      -
            savings_fixed    Fixed-Term Deposit       -      -
            savings_goal     Goal Saver               -      -
            ins_travel       Travel Insurance         -      -
            ins_home         Home Insurance           -      -
            ins_life         Life Insurance           -      -
            invest_fund      Investment Fund Account  -      -
            invest_robo      Robo-Advisor Portfolio   -      -
              dropped card_premium   credit score 682 below 720
              dropped card_secured   credit score 682 above 619
              dropped loan_mortgage  credit score 682 below 700
            """))
        let reset = try await harness.run(":reset\n= #candidates").output
        #expect(reset == "back to the start: 16 candidates, 9 stages to go\n16")
    }

    @Test("Lua lines keep their globals, pretty-print tables and see the candidates")
    func luaLines() async throws {
        let harness = try await ReplHarness()
        let output = try await harness.run("""
            x = 20
            = x * 2 + 2
            print("hello", x)
            = {b = 1, a = {1, 2}}
            = #offers
            """).output
        #expect(output == "42\nhello\t20\n{ a = { 1, 2 }, b = 1 }\n0")
    }

    @Test(":summary, :launch, :runs, :use, :result and :diff over a real run")
    func audienceAndRuns() async throws {
        let harness = try await ReplHarness(count: 150)
        let walk = try await harness.run(":flow cross_sell\n:filter age >= 30\n:next 40\n:summary").output
        #expect(walk.contains("40 of"))
        #expect(walk.contains("Total customers processed        40"))
        #expect(walk.contains("CHANNEL  COUNT  %"))
        let launched = try await harness.run(":launch\n:runs\n:customer C000000002\n:result\n:diff")
        #expect(launched.status == 0, "\(launched.output)")
        #expect(launched.output.contains("status completed"))
        #expect(launched.output.contains("no change for C000000002: the same flow version"))
        try harness.edit("cross_sell.lua", replacing: "rank { top = 3 }", with: "rank { top = 1 }")
        let diff = try await harness.run(":diff").output
        #expect(diff.contains("changed for C000000002"))
        #expect(diff.contains("changed"))
    }

    @Test("Ctrl-C (the interrupt handle) stops a Lua loop and the next line runs")
    func interruptStopsLoop() async throws {
        let harness = try await ReplHarness(consoleLimits: ReplConfiguration.defaultConsoleLimits)
        let interrupt = harness.interrupt
        // Raised again and again until the loop's line has ended: a line lowers the handle when it starts, so one
        // raise could land before the loop began, and no fixed delay is long enough on a loaded machine. The raising
        // runs on a thread of its own, as a signal handler would, not on Swift concurrency's threads, which other
        // tests may keep busy until the loop's instruction budget runs out.
        let done = NSLock()
        nonisolated(unsafe) var finished = false
        let raiser = Thread {
            while !done.withLock({ finished }) {
                interrupt.raise()
                usleep(10_000)
            }
        }
        raiser.start()
        let (status, output) = try await harness.run("while true do end", keepGoing: true)
        done.withLock { finished = true }
        // "interrupted", not the budget's message: the raised handle stopped the loop.
        #expect(status == 1)
        #expect(output == "interrupted")
        let next = try await harness.run("= 7")
        #expect(next.status == 0 && next.output == "7")
    }

    @Test(":asof decides as of a time (os.time() in the flow), :asof now goes back, and a bad time is an error")
    func asOf() async throws {
        let harness = try await ReplHarness()
        let (status, output) = try await harness.run("""
            :flow cross_sell
            :asof 2024-02-29
            :asof now
            :asof yesterday
            """)
        #expect(status == 1)
        #expect(output.contains("deciding as of 2024-02-29T00:00:00.000Z"))
        #expect(output.contains("\"yesterday\" is not a time"))
        #expect(output.contains("deciding as of now"))
    }

    @Test(":history lists a stored customer's history, marking what the decision time hides; stepping and :why use it")
    func history() async throws {
        let harness = try await ReplHarness()
        try """
            return flow {
              name = "Polite",
              offers = { { id = "card", name = "Card", channel = "email" }, { id = "loan", name = "Loan", channel = "sms" } },
              stages = { cooldown { days = 30, name = "declined lately" } },
            }
            """.write(to: harness.flows.appendingPathComponent("polite.lua"), atomically: true, encoding: .utf8)
        let store = try SQLiteCustomerStore(path: harness.databasePath)
        _ = try store.addInteractions([
            Interaction(customerId: "C000000001", offerId: "card", channel: "email", outcome: "declined",
                        at: try #require(Interaction.time("2026-11-20"))),
            Interaction(customerId: "C000000001", offerId: "loan", outcome: "declined",
                        at: try #require(Interaction.time("2026-12-01"))),
        ])
        let (status, output) = try await harness.run("""
            :flow polite
            :customer C000000001
            :asof 2026-11-30
            :history
            :run
            :why card
            :customer {id = "inline"}
            :history
            """)
        #expect(status == 0, "\(output)")
        #expect(output.contains("C000000001: 2 interactions"), "\(output)")
        #expect(output.contains("10.0 days ago"))
        #expect(output.contains("after the decision time: not seen"))
        #expect(output.contains("cooldown 'declined lately': declined 10 days ago"))
        #expect(output.contains("inline: no stored history"))
    }
}
