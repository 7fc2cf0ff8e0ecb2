import Foundation
import Testing

@testable import DNN
@testable import Interop

/// TFRecord framing and the events themselves, against published values and their own reader.
@Suite struct TensorBoardRecordTests {
  /// CRC-32C's check value (RFC 3720): "123456789" gives 0xE3069283.
  @Test func crc32cMatchesThePublishedCheckValue() {
    #expect(TensorBoardRecords.crc32c(Data("123456789".utf8)) == 0xE306_9283)
    #expect(TensorBoardRecords.crc32c(Data()) == 0)
  }

  /// Records read back whole, and a torn or damaged one ends the reading before it.
  @Test func recordsReadBackUpToTheFirstTornOne() {
    let payloads = [Data("a".utf8), Data(repeating: 7, count: 300), Data()]
    var file = Data()
    for p in payloads { file.append(TensorBoardRecords.frame(p)) }
    #expect(TensorBoardRecords.wholeRecords(file).map(\.payload) == payloads)
    #expect(TensorBoardRecords.wholeRecords(file.prefix(file.count - 1)).map(\.payload) == Array(payloads.prefix(2)))
    var damaged = file
    damaged[20] ^= 1  // inside the second record's length
    #expect(TensorBoardRecords.wholeRecords(damaged).map(\.payload) == [payloads[0]])
  }

  /// An intervention is text at its step; a histogram counts every value, in buckets that
  /// cover them all.
  @Test func interventionsAndHistograms() throws {
    let event = TensorBoardEvents.intervention(Intervention(kind: .learningRate, step: 42, progress: 1.5, detail: "x0.5 -> 0.025"))
    #expect(event.step == 42 && event.summary.value.first?.metadata.pluginData.pluginName == "text")
    #expect(String(decoding: event.summary.value[0].tensor.stringVal[0], as: UTF8.self).contains("x0.5 -> 0.025"))
    let values: [Float] = (0..<1000).map { Float($0) / 999 - 0.3 }
    let histogram = TensorBoardEvents.histogram(ValueHistogram(values))
    #expect(histogram.bucket.reduce(0, +) == 1000 && histogram.num == 1000)
    #expect(histogram.bucketLimit.last! >= Double(values.max()!) && histogram.min == Double(values.min()!))
  }
}
