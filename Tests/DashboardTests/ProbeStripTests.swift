import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The probe strip: one fixed validation digit per class, its prediction after every epoch,
/// marked when it changed since the epoch before.
@Suite struct ProbeStripTests {
  @Test func probesAreTheFirstDigitOfEachClassAndFlipsAreMarked() {
    var state = EventFixture.state
    #expect(state.probes.map(\.sample) == Array(0..<10))
    #expect(state.probes.map(\.predicted) == [1, 1, 2, 4, 4, 5, 7, 7, 8, 0] && !state.probes.contains { $0.flipped })
    // Epoch 3: the 0 is now right, the 5 now wrong.
    var p = EventFixture.predictions(epoch: 3)
    p.predicted[0] = 0
    p.predicted[5] = 3
    state.apply(.predictions(p))
    #expect(state.probes.filter(\.flipped).map(\.sample) == [0, 5])
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("probes 0▁ 1▇ 2▇ 4▇ 4▇ 3▁ 7▇ 7▇ 8▇ 0▇ 2 flipped"), "\(text)")  // the new guesses are unsure
    // The next epoch with the same predictions: no flip any more.
    state.apply(.predictions(p))
    #expect(!state.probes.contains { $0.flipped })
  }
}

/// The first step's loss against ln(classes): the one-line check at the start of a run.
@Suite struct InitialLossCheckTests {
  @Test func theFirstStepIsComparedWithLnTen() {
    #expect(DashboardState.initialLossCheck(2.31, classes: 10) == "initial loss 2.31 ≈ ln 10, as it should be")
    #expect(DashboardState.initialLossCheck(9.7, classes: 10).contains("far above, the initial weights look too large"))
    #expect(DashboardState.initialLossCheck(0.4, classes: 10).contains("far below"))
    #expect(DashboardState.initialLossCheck(.nan, classes: 10).contains("not a number"))
    // 3.38 is 1.47x ln 10: not "as it should be"; the ratio is said.
    #expect(DashboardState.initialLossCheck(3.38, classes: 10).contains("1.47x of it, the initial weights are on the large side"))
    #expect(DashboardState.initialLossCheck(2.0, classes: 10).contains("≈ ln 10, as it should be"))
    #expect(DashboardState.initialLossCheck(1.6, classes: 10).contains("0.69x of it"))
    var state = DashboardState()
    for event in EventFixture.events.prefix(3) { state.apply(event) }  // started, running, step 1
    let notice = state.notice ?? "none"
    #expect(notice == "initial loss 2.05 ≈ ln 10, as it should be", "\(notice)")
  }
}
