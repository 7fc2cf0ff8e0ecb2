/// A layer whose training pass over half of a split batch needs sums from the other half at
/// one point forward and one point backward (BatchNorm's statistics). While `meetsOtherHalf`,
/// a split step runs its forward and backward in two parts each: both halves run the part
/// before the meeting (publishing their sums), then either half the part after it, reading
/// both halves' sums. Nothing waits inside a layer, so whichever thread is free can run any
/// half's next part (`TrainingPass`, `DataParallelStep`), and the result does not depend on
/// which thread ran what.
public protocol MeetingLayer: Layer {
  /// True while a split step drives the layer (else `forward` and `backward` do both parts).
  var meetsOtherHalf: Bool { get }
  /// The training forward up to the meeting.
  func forwardUntilMeeting(_ input: Tensor)
  /// The rest of the training forward, once both halves have run the first part; the output.
  func forwardAfterMeeting() -> Tensor
  /// The backward up to the meeting.
  func backwardUntilMeeting(_ outputGradient: Tensor)
  /// The rest of the backward, once both halves have run the first part; d(loss)/d(input).
  func backwardAfterMeeting() -> Tensor
}
