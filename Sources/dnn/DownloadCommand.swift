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
  @Option(help: "Give up on a file after this many seconds, however slowly it arrives.") var timeout: Double = 600

  func validate() throws {
    guard timeout > 0 && timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds") }
  }

  func run() throws {
    // Once the files are written (or the error printed) the process ends at once with _exit:
    // FoundationNetworking may still hold a cancelled transfer on its own thread, and a normal
    // exit was seen to wait tens of seconds for it under load. Nothing is left to flush but
    // stdio, flushed first.
    var status: Int32 = 0
    do { try reportingErrors(download) } catch let error as ExitCode { status = error.rawValue } catch { status = 1 }
    fflush(nil)
    _exit(status)
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
    try Self.makeFolder(destination)
    let mirrors = mirror.map { [$0.hasSuffix("/") ? $0 : $0 + "/"] } ?? source.mirrors
    for file in files {
      let target = (destination as NSString).appendingPathComponent(file.name)
      if let existing = FileManager.default.contents(atPath: target), DatasetSource.matches([UInt8](existing), digest: file.digest).ok {
        print("\(file.name): already there and verified")
        continue
      }
      var lastError = ""
      var fetched: [UInt8]?
      for base in mirrors where fetched == nil {
        guard let url = URL(string: base + file.name) else { continue }
        do {
          let bytes = try Fetcher.fetch(url, label: file.name, limit: source.largestFile, deadline: timeout)
          let check = DatasetSource.matches(bytes, digest: file.digest)
          guard check.ok else {
            lastError = "\(url): checksum mismatch (expected \(file.digest), got \(check.actual)); the file was not kept"
            Console.error(lastError)
            continue
          }
          fetched = bytes
        } catch {
          lastError = "\(error)"
          Console.error(lastError)
        }
      }
      guard let bytes = fetched else {
        throw DataError(path: target, problem: "could not be fetched (last error: \(lastError))", hint: "Check the network or pass --mirror URL.")
      }
      // Fetched and verified: a failure now is the disk's (full, read-only), not the network's.
      do {
        try AtomicFile.write(Data(bytes), to: target)
      } catch let error as CheckpointError {
        throw DataError(path: target, problem: error.problem, hint: "Free some space, or choose another folder with --to.")
      }
      print("\(file.name): \(bytes.count) bytes, \(file.digest.split(separator: ":")[0]) verified -> \(target)")
    }
  }
}

extension DownloadCommand {
  /// Makes the destination folder, or says in one line why it cannot be (a file in the way, a
  /// read-only mount, no permission).
  static func makeFolder(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw DataError(path: path, problem: "is a file, not a folder", hint: "Choose a folder with --to.") }
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
      throw DataError(path: path, problem: "cannot be created (\(posix ?? "permission denied or read-only"))", hint: "Choose a writable folder with --to.")
    }
  }
}

/// A blocking HTTP GET with a progress bar on stderr, a size limit and an overall deadline.
/// The delegate callbacks (on the session's queue) and the caller share one locked state.
final class Fetcher: NSObject, URLSessionDataDelegate, Sendable {
  private struct Progress {
    var received = Data()
    var expected: Int64 = -1
    var status = 0
    var failure: Error?
    var finished = false
    var lastDraw = Date.distantPast
  }

  private let progress = Mutex(Progress())
  /// Set once the result is decided (cut off, or the caller stopped waiting): later callbacks
  /// return without touching the lock, so they can neither starve the caller nor keep copying.
  private let stopped = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)
  private let label: String
  private let url: URL
  private let limit: Int

  private init(label: String, url: URL, limit: Int) {
    self.label = label
    self.url = url
    self.limit = limit
  }

  /// The body of `url`: at most `limit` bytes, within `deadline` seconds. Errors are one
  /// plain line naming the host.
  static func fetch(_ url: URL, label: String, limit: Int, deadline: Double) throws -> [UInt8] {
    let fetcher = Fetcher(label: label, url: url, limit: limit)
    let queue = OperationQueue()
    queue.maxConcurrentOperationCount = 1
    let session = URLSession(configuration: .ephemeral, delegate: fetcher, delegateQueue: queue)
    var request = URLRequest(url: url)
    request.timeoutInterval = min(60, deadline)
    // The files are gzip already: ask for them as they are, not re-encoded.
    request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
    let task = session.dataTask(with: request)
    task.resume()
    let timedOut = fetcher.done.wait(timeout: .now() + deadline) == .timedOut
    fetcher.stopped.store(true, ordering: .releasing)
    // The result is decided now. The task is cancelled off this thread: FoundationNetworking's
    // cancel (and invalidate) can block for seconds to a minute under load while its queue
    // drains, and nothing here needs to wait for it.
    DispatchQueue.global().async { task.cancel() }
    if isatty(STDERR_FILENO) == 1 { Console.put("\r\u{1B}[2K", to: STDERR_FILENO) }
    let result = fetcher.progress.withLock { p -> Result<[UInt8], FetchError> in
      p.finished = true
      if let failure = p.failure as? FetchError { return .failure(failure) }
      // Our deadline, or the session's idle timeout (the same seconds up to 60, which can fire
      // first): one answer, with the seconds of the one that ended the wait.
      let sessionTimedOut = (p.failure as NSError?).map { $0.domain == NSURLErrorDomain && $0.code == NSURLErrorTimedOut } ?? false
      if timedOut || sessionTimedOut {
        let seconds = Int(timedOut ? deadline : request.timeoutInterval)
        return .failure(FetchError(url: url, reason: "no complete answer within \(seconds) s (pass --timeout to wait longer)"))
      }
      if let failure = p.failure { return .failure(FetchError(url: url, reason: (failure as NSError).localizedDescription)) }
      guard p.status == 200 else {
        return .failure(FetchError(url: url, reason: "HTTP status \(p.status) \(HTTPURLResponse.localizedString(forStatusCode: p.status))"))
      }
      return .success([UInt8](p.received))
    }
    return try result.get()
  }

  /// A failed fetch, as one line: `host: what happened`.
  struct FetchError: Error, CustomStringConvertible {
    let url: URL
    let reason: String
    var description: String { "\(url.host ?? url.absoluteString): \(reason) (\(url.lastPathComponent))" }
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                  completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
    let tooLarge = progress.withLock { p -> Bool in
      p.status = (response as? HTTPURLResponse)?.statusCode ?? 0
      p.expected = response.expectedContentLength
      guard p.expected > Int64(limit) else { return false }
      p.failure = FetchError(url: url, reason: "announces \(p.expected) bytes, more than the \(limit) this file can have")
      return true
    }
    completionHandler(tooLarge ? .cancel : .allow)
    if tooLarge {
      stopped.store(true, ordering: .releasing)
      done.signal()  // before cancelling, which may block
      dataTask.cancel()
    }
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    guard !stopped.load(ordering: .acquiring) else { return }
    let (cut, bar) = progress.withLock { p -> (Bool, String?) in
      guard p.failure == nil, !p.finished else { return (false, nil) }
      p.received.append(contentsOf: data)
      if p.received.count > limit {
        p.failure = FetchError(url: url, reason: "sent more than the \(limit) bytes this file can have; cut off")
        return (true, nil)
      }
      guard isatty(STDERR_FILENO) == 1, Date().timeIntervalSince(p.lastDraw) > 0.1 else { return (false, nil) }
      p.lastDraw = Date()
      // The announced length may be missing or wrong (a re-encoding mirror): clamp the bar.
      let fraction = p.expected > 0 ? min(max(Double(p.received.count) / Double(p.expected), 0), 1) : 0
      let filled = Int(saturating: (fraction * 30).rounded(.down))
      return (false, "\r\u{1B}[2K\(label) [\(String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled))] \(p.received.count / 1024) KiB")
    }
    if let bar { Console.put(bar, to: STDERR_FILENO) }
    if cut {
      stopped.store(true, ordering: .releasing)
      done.signal()  // before cancelling, which may block
      dataTask.cancel()
    }
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    progress.withLock { p in
      if p.failure == nil { p.failure = error }
    }
    done.signal()
  }
}
