import Foundation
import Testing

@testable import DNN

/// Reading the MNIST distribution's files, and every way they can be wrong.
@Suite struct DataTests {
  @Test func bundledDigitsAreTheDocumentedSubset() throws {
    let folder = Fixtures.mnist
    #expect(folder.train.count == 4000)
    #expect(folder.test?.count == 1000)
    var perClass = [Int](repeating: 0, count: 10)
    for label in folder.train.labels { perClass[Int(label)] += 1 }
    #expect(perClass == [Int](repeating: 400, count: 10))
    // A real digit has ink: between 10% and 40% of pixels non-zero.
    let ink = folder.train.image(0).filter { $0 > 0 }.count
    #expect(ink > 78 && ink < 320)
  }

  @Test func rawAndGzipFilesReadTheSame() throws {
    let gz = try MNISTFolder(path: Fixtures.smallFolder(gzip: true))
    let raw = try MNISTFolder(path: Fixtures.smallFolder(gzip: false))
    #expect(gz.train.pixels == raw.train.pixels)
    #expect(gz.train.labels == raw.train.labels)
  }

  func expectError(_ path: String, contains phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try MNISTFolder(path: path)
      Issue.record("no error for \(path)", sourceLocation: sourceLocation)
    } catch let error as DataError {
      #expect(error.description.contains(phrase), "\(error)", sourceLocation: sourceLocation)
      #expect(!error.hint.isEmpty, sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  func folder(replacing name: String, with bytes: [UInt8]) -> String {
    let folder = Fixtures.smallFolder()
    Fixtures.write(bytes, to: "\(folder)/\(name)")
    return folder
  }

  @Test func wrongMagicNamesTheFile() {
    var bytes = Fixtures.imagesFile(count: 20)
    bytes[3] = 0x01
    let folder = folder(replacing: "train-images-idx3-ubyte.gz", with: bytes)
    expectError(folder, contains: "train-images-idx3-ubyte.gz: wrong magic number 0x00000801, expected 0x00000803")
  }

  @Test func aFileThatInflatesPastItsHeaderIsStoppedThere() {
    // 20 images announced, 64 MB of zeros sent (64 KB gzipped): refused without reading it all.
    let bytes = Fixtures.idx(magic: 0x803, dimensions: [20, 28, 28], body: [UInt8](repeating: 0, count: 64 << 20))
    let folder = folder(replacing: "train-images-idx3-ubyte.gz", with: bytes)
    expectError(folder, contains: "holds more than the 15696 bytes its header announces (stopped reading)")
    // One byte too many is already too many.
    let oneMore = Fixtures.idx(magic: 0x803, dimensions: [20, 28, 28], body: [UInt8](repeating: 0, count: 20 * 784 + 1))
    expectError(self.folder(replacing: "train-images-idx3-ubyte.gz", with: oneMore), contains: "holds more than the 15696 bytes")
  }

  @Test func devicesAndFIFOsAreRefusedByType() throws {
    let folder = Fixtures.smallFolder()
    try FileManager.default.removeItem(atPath: "\(folder)/train-images-idx3-ubyte.gz")
    try FileManager.default.createSymbolicLink(atPath: "\(folder)/train-images-idx3-ubyte.gz", withDestinationPath: "/dev/zero")
    expectError(folder, contains: "train-images-idx3-ubyte.gz: is not a regular file")
    try FileManager.default.removeItem(atPath: "\(folder)/train-images-idx3-ubyte.gz")
    #expect(mkfifo("\(folder)/train-images-idx3-ubyte.gz", 0o644) == 0)
    expectError(folder, contains: "train-images-idx3-ubyte.gz: is not a regular file")
  }

  @Test func truncatedBody() {
    let bytes = Array(Fixtures.imagesFile(count: 20).dropLast(100))
    expectError(folder(replacing: "train-images-idx3-ubyte.gz", with: bytes), contains: "truncated: header promises 15680 data bytes, file has 15580")
  }

  @Test func truncatedHeader() {
    let bytes = Array(Fixtures.imagesFile(count: 20).prefix(9))
    expectError(folder(replacing: "train-images-idx3-ubyte.gz", with: bytes), contains: "truncated header")
  }

  @Test func emptyFile() {
    expectError(folder(replacing: "train-labels-idx1-ubyte.gz", with: []), contains: "is empty")
  }

  @Test func imagesThatAreNot28x28() {
    expectError(folder(replacing: "train-images-idx3-ubyte.gz", with: Fixtures.imagesFile(count: 20, side: 32)),
                contains: "images are 32x32, expected 28x28")
  }

  @Test func imageAndLabelCountsDiffer() {
    let labels = Fixtures.labelsFile((0..<19).map { UInt8($0 % 10) })
    expectError(folder(replacing: "train-labels-idx1-ubyte.gz", with: labels), contains: "has 19 labels but")
  }

  @Test func labelAboveNine() {
    var labels = (0..<20).map { UInt8($0 % 10) }
    labels[7] = 12
    expectError(folder(replacing: "train-labels-idx1-ubyte.gz", with: Fixtures.labelsFile(labels)), contains: "label 12 at index 7")
  }

  @Test(arguments: [0.5, 0.9])
  func gzipCutShort(fraction: Double) throws {
    let folder = Fixtures.smallFolder()
    let path = "\(folder)/train-images-idx3-ubyte.gz"
    let whole = try Data(contentsOf: URL(fileURLWithPath: path))
    try whole.prefix(Int(Double(whole.count) * fraction)).write(to: URL(fileURLWithPath: path))
    expectError(folder, contains: "is not a valid gzip file")
  }

  @Test func gzipWithDamagedBody() throws {
    let folder = Fixtures.smallFolder()
    let path = "\(folder)/train-images-idx3-ubyte.gz"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for i in 20..<60 { bytes[i] ^= 0x5A }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    expectError(folder, contains: "is not a valid gzip file")
  }

  @Test func missingTrainingFile() throws {
    let folder = Fixtures.smallFolder()
    try FileManager.default.removeItem(atPath: "\(folder)/train-labels-idx1-ubyte.gz")
    expectError(folder, contains: "train-labels-idx1-ubyte.gz: no such file")
  }

  @Test func folderWhereAFileShouldBe() throws {
    let folder = Fixtures.smallFolder()
    try FileManager.default.removeItem(atPath: "\(folder)/train-images-idx3-ubyte.gz")
    try FileManager.default.createDirectory(atPath: "\(folder)/train-images-idx3-ubyte.gz", withIntermediateDirectories: false)
    expectError(folder, contains: "is a folder, expected an IDX file")
  }

  @Test func missingFolder() {
    expectError("/nonexistent/mnist", contains: "/nonexistent/mnist: no such folder")
  }

  @Test func testFilesAreOptional() throws {
    let folder = Fixtures.smallFolder()
    try FileManager.default.removeItem(atPath: "\(folder)/t10k-images-idx3-ubyte.gz")
    try FileManager.default.removeItem(atPath: "\(folder)/t10k-labels-idx1-ubyte.gz")
    #expect(try MNISTFolder(path: folder).test == nil)
  }

  @Test func splitIsSeededDisjointAndSized() {
    let a = DataSplit(folder: Fixtures.mnist, validationFraction: 0.1, trainSamples: 1000, seed: 7)
    let b = DataSplit(folder: Fixtures.mnist, validationFraction: 0.1, trainSamples: 1000, seed: 7)
    let c = DataSplit(folder: Fixtures.mnist, validationFraction: 0.1, trainSamples: 1000, seed: 8)
    #expect(a.validation.count == 400 && a.train.count == 1000)
    #expect(a.train.indices == b.train.indices && a.validation.indices == b.validation.indices)
    #expect(a.train.indices != c.train.indices)
    #expect(Set(a.train.indices).isDisjoint(with: a.validation.indices))
  }

  @Test func batchesAreScaledToUnitRangeAndShuffledBySeed() {
    let view = DatasetView(Fixtures.mnist.train)
    let loader = BatchLoader(view: view, batchSize: 64, generator: SplitMix64(seed: 1))
    loader.startEpoch()
    loader.load(batch: 0)
    #expect(loader.images.rows == 64 && loader.images.columns == 784)
    let values = loader.images.values
    #expect(values.min()! == 0 && values.max()! == 1)
    let first = loader.labels
    let other = BatchLoader(view: view, batchSize: 64, generator: SplitMix64(seed: 2))
    other.startEpoch()
    other.load(batch: 0)
    #expect(first != other.labels)
    loader.load(batch: loader.batchesPerEpoch - 1)
    #expect(loader.images.rows == 4000 - 62 * 64)  // the final partial batch
  }

  @Test func shuffledBatchesPairEachImageWithItsLabelAndCoverTheEpochOnce() {
    // A subset view, so positions map through `view.indices` into the source.
    let view = DataSplit(folder: Fixtures.mnist, validationFraction: 0.1, trainSamples: 1000, seed: 7).train
    let source = view.source
    var sampleOfPixels: [[UInt8]: Int] = [:]
    for sample in view.indices { sampleOfPixels[Array(source.image(sample))] = sample }
    let loader = BatchLoader(view: view, batchSize: 96, generator: SplitMix64(seed: 3))
    for epoch in 0..<2 {
      loader.startEpoch()
      var seen: [Int] = []
      for batch in 0..<loader.batchesPerEpoch {
        loader.load(batch: batch)
        // A hint only: past the epoch's end (the last batch) it must do nothing.
        loader.prefetch(batch: batch + 1, rows: 0..<loader.batchSize)
        let pixels = loader.images.values
        for row in 0..<loader.images.rows {
          let bytes = pixels[row * 784..<(row + 1) * 784].map { UInt8(($0 * 255).rounded()) }
          let sample = sampleOfPixels[bytes]
          #expect(sample != nil, "epoch \(epoch) batch \(batch) row \(row) is no sample of the view")
          #expect(sample.map { Int(source.labels[$0]) } == loader.labels[row])
          seen.append(sample ?? -1)
        }
      }
      #expect(seen.sorted() == view.indices.sorted())
      #expect(seen != view.indices)  // shuffled
    }
  }

  @Test func shiftAugmentationMovesTheImage() {
    var source = [UInt8](repeating: 0, count: 784)
    source[14 * 28 + 14] = 255
    var target = [Float](repeating: -1, count: 784)
    source.withUnsafeBufferPointer { s in
      target.withUnsafeMutableBufferPointer { t in
        BatchLoader.shifted(s.baseAddress!, into: t.baseAddress!, dx: 2, dy: -1, scale: 1 / 255)
      }
    }
    #expect(target[13 * 28 + 16] == 1)
    #expect(target.filter { $0 != 0 }.count == 1)
  }
}

/// Finding the bundled assets from wherever the program runs.
@Suite struct AssetsTests {
  @Test func theAssetsFolderIsFoundFromTheProjectTheExecutableAndDNNAssets() throws {
    let project = URL(fileURLWithPath: Fixtures.bundledMNIST).deletingLastPathComponent().deletingLastPathComponent().path
    let nowhere = Fixtures.temporaryFolder()
    // From the project folder: ./assets, shown relative.
    #expect(Assets.folder(environment: [:], workingDirectory: project, executable: "/usr/bin/true") == "assets")
    // From elsewhere: beside or above the executable (.build/debug/dnn).
    #expect(Assets.folder(environment: [:], workingDirectory: nowhere, executable: "\(project)/.build/debug/dnn") == "\(project)/assets")
    // DNN_ASSETS wins; a folder without configs/default.json is passed over.
    let elsewhere = Fixtures.temporaryFolder()
    try FileManager.default.createDirectory(atPath: "\(elsewhere)/configs", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "\(project)/assets/configs/default.json", toPath: "\(elsewhere)/configs/default.json")
    #expect(Assets.folder(environment: ["DNN_ASSETS": elsewhere], workingDirectory: project, executable: "") == elsewhere)
    #expect(Assets.folder(environment: ["DNN_ASSETS": nowhere], workingDirectory: project, executable: "") == "assets")
    #expect(Assets.folder(environment: [:], workingDirectory: nowhere, executable: "/usr/bin/true") == nil)
    // Installed: PREFIX/bin/dnn finds PREFIX/share/diy-dnn.
    let prefix = Fixtures.temporaryFolder()
    try FileManager.default.createDirectory(atPath: "\(prefix)/share/diy-dnn", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: "\(elsewhere)/configs", toPath: "\(prefix)/share/diy-dnn/configs")
    #expect(Assets.folder(environment: [:], workingDirectory: nowhere, executable: "\(prefix)/bin/dnn") == "\(prefix)/share/diy-dnn")
  }
}
