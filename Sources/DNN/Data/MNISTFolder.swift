import Foundation

/// A folder with the four files of the MNIST distribution (or Fashion-MNIST's, same names).
public struct MNISTFolder: Sendable {
  /// The training images and labels (`train-*`).
  public let train: LabeledImages
  /// The test images and labels (`t10k-*`), when the folder has them.
  public let test: LabeledImages?
  /// The folder they were read from.
  public let path: String
  /// The files read, training images and labels first, then the test files if any.
  public let files: [String]

  /// Reads `path`. The training files must be there; the test files are optional but, when
  /// present, must be whole. Each file may be gzipped (`.gz`) or raw, and both the official
  /// `train-images-idx3-ubyte` and the common `train-images.idx3-ubyte` spellings are found.
  public init(path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataError(path: path, problem: "no such folder",
                      hint: "Pass --data-dir with a folder holding train-images-idx3-ubyte(.gz) and friends, or fetch them with dnn download mnist.")
    }
    guard isDirectory.boolValue else {
      throw DataError(path: path, problem: "is a file, expected a folder", hint: "Pass the folder that holds the MNIST files.")
    }
    self.path = path
    let trainPair = try MNISTFolder.readPair(in: path, prefix: "train", required: true)!
    let testPair = try MNISTFolder.readPair(in: path, prefix: "t10k", required: false)
    train = trainPair.data
    test = testPair?.data
    files = trainPair.files + (testPair?.files ?? [])
  }

  private static func readPair(in folder: String, prefix: String, required: Bool) throws
    -> (data: LabeledImages, files: [String])?
  {
    let imagesPath = find(in: folder, prefix: prefix, kind: "images", idx: 3)
    let labelsPath = find(in: folder, prefix: prefix, kind: "labels", idx: 1)
    if imagesPath == nil && labelsPath == nil && !required { return nil }
    guard let imagesPath else {
      throw DataError(path: "\(folder)/\(prefix)-images-idx3-ubyte.gz", problem: "no such file (nor its raw or dotted spelling)",
                      hint: "Fetch the data with dnn download mnist, or point --data-dir at a complete MNIST folder.")
    }
    guard let labelsPath else {
      throw DataError(path: "\(folder)/\(prefix)-labels-idx1-ubyte.gz", problem: "no such file (nor its raw or dotted spelling)",
                      hint: "Fetch the data with dnn download mnist, or point --data-dir at a complete MNIST folder.")
    }
    let images = try IDXReader.readImages(imagesPath)
    let labels = try IDXReader.readLabels(labelsPath)
    guard images.count == labels.count else {
      throw DataError(path: labelsPath, problem: "has \(labels.count) labels but \(imagesPath) has \(images.count) images",
                      hint: "The two files come from different sets: fetch both again.")
    }
    return (LabeledImages(pixels: images.pixels, labels: labels), [imagesPath, labelsPath])
  }

  private static func find(in folder: String, prefix: String, kind: String, idx: Int) -> String? {
    let stems = ["\(prefix)-\(kind)-idx\(idx)-ubyte", "\(prefix)-\(kind).idx\(idx)-ubyte"]
    for stem in stems {
      for name in [stem + ".gz", stem] {
        let path = (folder as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: path) { return path }
      }
    }
    return nil
  }
}
