import DNN
import TerminalUI

/// Draws the whole dashboard for a state and a terminal size.
public enum DashboardView {
  /// The frame for `state` at `width` x `height`.
  public static func render(_ state: DashboardState, width: Int, height: Int, options: RenderOptions) -> ScreenBuffer {
    var buffer = ScreenBuffer(width: width, height: height)
    guard let layout = Layout(width: width, height: height, parameterCount: state.run?.parameterNames.count ?? 6, runCount: state.runs.count)
    else {
      TooSmallScreen(width: width, height: height).draw(on: &buffer)
      if options.glyphs.ascii { buffer.makeASCII() }
      return buffer
    }
    HeaderPanel(state: state, options: options).draw(in: layout.header, on: &buffer)
    var state = state
    state.compact = !layout.wide
    if layout.wide || state.lowerPanel == .charts {
      CurvesPanel(kind: .loss, state: state, options: options).draw(in: layout.loss, on: &buffer)
      CurvesPanel(kind: state.showRateChart ? .learningRate : .accuracy, state: state, options: options).draw(in: layout.accuracy, on: &buffer)
    }
    if let runs = layout.runs { RunsPanel(state: state, options: options).draw(in: runs, on: &buffer) }
    if layout.wide {
      ConfusionPanel(showsMatrix: state.lowerPanel == .confusion, state: state, options: options).draw(in: layout.lower, on: &buffer)
    }
    if layout.wide || state.lowerPanel == .charts {
      if state.showHealth {
        HealthPanel(state: state, options: options).draw(in: layout.gradients, on: &buffer)
      } else {
        GradientPanel(state: state, options: options).draw(in: layout.gradients, on: &buffer)
      }
      InferencePanel(state: state, options: options).draw(in: layout.inference, on: &buffer)
    } else if state.lowerPanel == .runs {
      RunsPanel(state: state, options: options).draw(in: layout.lower, on: &buffer)
    } else {
      // The compact layout shows the table alone, over the whole body.
      ConfusionPanel(showsMatrix: state.lowerPanel == .confusion, state: state, options: options).draw(in: layout.lower, on: &buffer)
    }
    let body = DrawingPanel.area(width: width, height: height)
    if state.showWeights { WeightsPanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.showLayers { LayersPanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.showAugmentPreview { AugmentPanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.showRateFinder { RateFinderPanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.showDistributions { DistributionsPanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.showInside { InsidePanel(state: state, options: options).draw(in: body, on: &buffer) }
    if state.drawing != nil { DrawingPanel(state: state, options: options).draw(in: body, on: &buffer) }
    FooterPanel(options: options, live: state.isLive && !state.following, sweep: state.isSweep, view: state.mode.view).draw(in: layout.footer, on: &buffer)
    if state.showOutcome, let message = state.message {
      OutcomeOverlay(title: state.status.rawValue, message: message, options: options).draw(on: &buffer)
    }
    if state.showHelp { HelpOverlay(options: options, frameMilliseconds: state.frameMilliseconds).draw(on: &buffer) }
    // Widgets draw some marks in colour (tick labels, the best point, the clip marker): without
    // colour, every cell keeps only its bold and reverse, in one place.
    if !options.color { buffer.removeColours() }
    // Likewise, --ascii (or a terminal without UTF-8) means ASCII in every cell.
    if options.glyphs.ascii { buffer.makeASCII() }
    return buffer
  }
}
