import Testing

@testable import DNN
@testable import Dashboard
@testable import TerminalUI

/// The confusion matrix's cell cursor: ↑/↓ start it on the most confused cell, ←/→ move it,
/// Enter browses that cell's digits, Esc leaves; the most confused pairs are listed.
@Suite struct ConfusionDrillDownTests {
  typealias Cell = DashboardState.Cell

  @Test func theMostConfusedPairsComeFirst() {
    let state = EventFixture.state
    // The fixture gets every third digit wrong (label + 1), one each.
    #expect(state.mostConfused.map(\.cell) == [Cell(truth: 0, predicted: 1), Cell(truth: 2, predicted: 3), Cell(truth: 3, predicted: 4)])
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("most confused: 0→1 (1), 2→3 (1), 3→4 (1)"))
  }

  @Test func arrowsPickACellAndEnterBrowsesItsDigits() {
    var state = EventFixture.state
    #expect(state.showsConfusion)
    #expect(state.press(.down).command == nil && state.cellCursor == Cell(truth: 0, predicted: 1), "starts on the most confused cell")
    _ = state.press(.down)
    _ = state.press(.down)
    _ = state.press(.right)
    _ = state.press(.right)
    #expect(state.cellCursor == Cell(truth: 2, predicted: 3))
    _ = state.press(.enter)
    #expect(state.cellFilter == Cell(truth: 2, predicted: 3) && state.cellCursor == nil)
    #expect(state.browsedIndices == [12], "sample 12 is a 2 predicted as 3")
    let text = DashboardView.render(state, width: 120, height: 40, options: RenderOptions()).text
    #expect(text.contains("Validation digits: true 2 → predicted 3") && text.contains("1/1  true 2  pred 3"), "\(text)")
    // ← → browse again; Esc drops the filter; m too.
    _ = state.press(.escape)
    #expect(state.cellFilter == nil && state.browsedIndices.count == 20)
    _ = state.press(.up)
    _ = state.press(.escape)
    #expect(state.cellCursor == nil)
  }

  @Test func anEmptyCellSaysSo() {
    var state = EventFixture.state
    _ = state.press(.up)
    _ = state.press(.left)  // (0, 0)
    _ = state.press(.left)  // (0, 9): nobody
    _ = state.press(.enter)
    #expect(state.notice == "no validation digit is true 0 and predicted 9")
  }

  @Test func withoutTheMatrixTheArrowsSayWhereItIs() {
    var state = EventFixture.state
    state.panelCycle = 1  // the epoch table instead
    _ = state.press(.down)
    #expect(state.cellCursor == nil && state.notice == "↑↓ move a cell cursor in the confusion matrix: c shows it")
  }
}
