import ArgumentParser
import DNN
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// `dnn download`: fetches MNIST or Fashion-MNIST, verified against the published digests.
struct DownloadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "download",
    abstract: "Download mnist or fashion-mnist (four IDX .gz files), verify each against its published digest, write atomically.",
    discussion: "Default destination: ~/.cache/diy-dnn/NAME (or $XDG_CACHE_HOME/diy-dnn/NAME), where `--dataset NAME` of dnn train and dnn-tui looks.")

  @Argument(help: "mnist or fashion-mnist.") var dataset: String
  @Option(help: "Destination folder.") var to: String?
  @Option(help: "Base URL to fetch the files from instead of the official mirrors.") var mirror: String?
  @Option(help: .hidden) var checksums: String?

  func run() throws {
    try reportingErrors(download)
  }

  private func download() throws {
    guard let source = DatasetSource.named(dataset) else {
      throw ValidationError("unknown dataset '\(dataset)' (known: \(DatasetSource.all.map(\.name).joined(separator: ", ")))")
    }
    var files = source.files
    if let checksums {  // test-only: digests from a JSON object {"file": "sha256:..."}
      guard let data = FileManager.default.contents(atPath: checksums), case .object(let map) = try JSONValue.parse(data) else {
        throw ValidationError("--checksums: cannot read \(checksums)")
      }
      files = files.map { file in
        if case .string(let digest)? = map[file.name] { (file.name, digest) } else { file }
      }
    }
    let destination = to ?? DatasetSource.cacheFolder(source.name)
    try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
    let mirrors = mirror.map { [$0.hasSuffix("/") ? $0 : $0 + "/"] } ?? source.mirrors
    for file in files {
      let target = (destination as NSString).appendingPathComponent(file.name)
      if let existing = FileManager.default.contents(atPath: target), DatasetSource.matches([UInt8](existing), digest: file.digest).ok {
        print("\(file.name): already there and verified")
        continue
      }
      var lastError = ""
      var done = false
      for base in mirrors {
        guard let url = URL(string: base + file.name) else { continue }
        do {
          let bytes = try Fetcher.fetch(url, label: file.name)
          let check = DatasetSource.matches(bytes, digest: file.digest)
          guard check.ok else {
            lastError = "\(url): checksum mismatch (expected \(file.digest), got \(check.actual)); the file was not kept"
            Console.error(lastError)
            continue
          }
          try AtomicFile.write(Data(bytes), to: target)
          print("\(file.name): \(bytes.count) bytes, \(file.digest.split(separator: ":")[0]) verified -> \(target)")
          done = true
          break
        } catch {
          lastError = "\(url): \(error)"
          Console.error(lastError)
        }
      }
      guard done else {
        throw DataError(path: target, problem: "could not be fetched (\(lastError))", hint: "Check the network or pass --mirror URL.")
      }
    }
  }
}

/// A blocking HTTP GET with a progress bar on stderr.
final class Fetcher: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  // @unchecked Sendable: every mutable field is only touched on the session's serial delegate
  // queue until `done` is signalled, after which only the calling thread reads them.
  private var received = [UInt8]()
  private var expected: Int64 = -1
  private var status = 0
  private var failure: Error?
  private let done = DispatchSemaphore(value: 0)
  private let label: String
  private var lastDraw = Date.distantPast

  private init(label: String) { self.label = label }

  static func fetch(_ url: URL, label: String) throws -> [UInt8] {
    let fetcher = Fetcher(label: label)
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = 1
    let session = URLSession(configuration: .ephemeral, delegate: fetcher, delegateQueue: queue)
    var request = URLRequest(url: url)
    request.timeoutInterval = 60
    session.dataTask(with: request).resume()
    fetcher.done.wait()
    session.finishTasksAndInvalidate()
    if isatty(STDERR_FILENO) == 1 { Console.put("\r\u{1B}[2K", to: STDERR_FILENO) }
    if let failure = fetcher.failure { throw failure }
    guard fetcher.status == 200 else { throw FetchError(description: "HTTP status \(fetcher.status)") }
    return fetcher.received
  }

  struct FetchError: Error, CustomStringConvertible { let description: String }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                  completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
    status = (response as? HTTPURLResponse)?.statusCode ?? 0
    expected = response.expectedContentLength
    completionHandler(.allow)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    received.append(contentsOf: data)
    guard isatty(STDERR_FILENO) == 1, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = Date()
    let fraction = expected > 0 ? Double(received.count) / Double(expected) : 0
    let filled = Int(fraction * 30)
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
    Console.put("\r\u{1B}[2K\(label) [\(bar)] \(received.count / 1024) KiB", to: STDERR_FILENO)
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    failure = error
    done.signal()
  }
}
