import Foundation
import Testing
@testable import Pipeline

/// The shield around a stage's last I/O: the caller's cancellation reaches it only after the
/// budget, or at once after `hurry()`.
@Suite(.timeLimit(.minutes(1))) struct DrainBudgetTests {
    /// Sleeps `duration` unless cancelled; true when it slept to the end.
    static func work(_ duration: Duration) async -> Bool {
        (try? await Task.sleep(for: duration)) != nil
    }

    @Test func workOutlivesItsCallersCancellationWithinTheBudget() async {
        let budget = DrainBudget(timeout: .seconds(30))
        let caller = Task { await budget.shielded { await Self.work(.milliseconds(300)) } }
        try? await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        let finished = try? await caller.value.get()
        #expect(finished == true, "the work was cut off by the caller's cancellation")
    }

    @Test func workIsCancelledOnceTheBudgetRunsOut() async {
        let budget = DrainBudget(timeout: .milliseconds(100))
        let caller = Task { await budget.shielded { await Self.work(.seconds(600)) } }
        caller.cancel()
        let finished = try? await caller.value.get()
        #expect(finished == false)
    }

    @Test func anUncancelledCallerIsNeverTimedOut() async {
        let budget = DrainBudget(timeout: .milliseconds(20))
        let finished = try? await budget.shielded { await Self.work(.milliseconds(200)) }.get()
        #expect(finished == true)
    }

    @Test func hurryCancelsStoppingWorkNowAndFromNowOn() async {
        let budget = DrainBudget(timeout: .seconds(600))
        let caller = Task { await budget.shielded { await Self.work(.seconds(600)) } }
        caller.cancel()
        try? await Task.sleep(for: .milliseconds(50))
        budget.hurry()
        #expect((try? await caller.value.get()) == false)
        #expect(budget.isHurried)

        let later = Task { await budget.shielded { await Self.work(.seconds(600)) } }
        later.cancel()
        #expect((try? await later.value.get()) == false)
    }

    @Test func workThatIgnoresCancellationIsAbandonedAfterTheGrace() async {
        let budget = DrainBudget(timeout: .milliseconds(50), grace: .milliseconds(50))
        let caller = Task {
            await budget.shielded { () async -> Bool in
                // A client library that never answers and never looks at cancellation.
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                return true
            }
        }
        caller.cancel()
        #expect((try? await caller.value.get()) == nil, "the stop waited for work that never ends")
    }

    @Test func errorsComeBackAsTheyAre() async {
        let result = await DrainBudget().shielded { () async throws -> Int in throw PipelineError("boom") }
        #expect(throws: PipelineError.self) { try result.get() }
    }
}
