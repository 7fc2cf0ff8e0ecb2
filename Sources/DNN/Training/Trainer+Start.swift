/// How a run begins: a new run, a saved one continued, or a fork of another.
public enum RunStart: Sendable {
  /// A new run, saved in `out/NAME` (nil: not saved); `overwrite` replaces a run folder there.
  case new(out: String?, overwrite: Bool = false)
  /// A new run in a folder claimed for it when its name was chosen (`RunFolder.claim`).
  case claimed(RunFolder.Claim)
  /// The run folder `path` continued from its saved state.
  case resume(path: String)
  /// A new run from another run's state at `point`, saved in `out/NAME` (nil: not saved); the
  /// configuration given is the fork's own (`ForkPoint.config(from:)`, its rate included).
  case fork(ForkPoint, out: String?)
}

extension Trainer {
  /// The one place a trainer is assembled (`dnn train`, `dnn bench`, the dashboard's runs,
  /// resumes and forks): a new run is checked before its folder is made (a run that cannot
  /// train leaves no folder behind), a resumed one opens its folder and state, a fork saves its
  /// starting state before it trains a step; then `adjust` sets what the caller decides (a
  /// watched plan, one core).
  public static func make(
    _ config: RunConfig, on folder: MNISTFolder, start: RunStart, events: EventChannel, commands: CommandMailbox,
    adjust: (inout RunPlan) -> Void = { _ in }
  ) throws -> Trainer {
    var plan: RunPlan
    switch start {
    case .new(let out, let overwrite):
      try RunPlan.check(config, on: folder)
      let runFolder = try out.map { try RunFolder.create(out: $0, config: config, overwrite: overwrite) }
      plan = try RunPlan(config: config, folder: folder, observer: runFolder)
    case .claimed(let claim):
      try RunPlan.check(config, on: folder)
      plan = try RunPlan(config: config, folder: folder, observer: try RunFolder.create(claim: claim, config: config))
    case .resume(let path):
      let (runFolder, state) = try RunFolder.resume(path: path, config: config)
      plan = try RunPlan(config: runFolder.config, folder: folder, start: state, observer: runFolder)
    case .fork(let point, let out):
      // `config` is the fork's own (`ForkPoint.config(from:)`): its rate holds the factor.
      let runFolder = try out.map { try RunFolder.create(out: $0, config: config, overwrite: false) }
      try runFolder?.saveStart(point)
      plan = try RunPlan(config: config, folder: folder, start: try point.savedState(), observer: runFolder)
      plan.learningRateFactor = ForkPoint.startingFactor
      plan.forkedFrom = (point.parent, point.position.step)
    }
    adjust(&plan)
    return try Trainer(plan: plan, events: events, commands: commands)
  }
}
