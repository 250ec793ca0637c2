import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a transfer was stopped by the client itself rather than by the network.
enum TransferLimit: Error, Sendable, Equatable {
    /// The body (announced or received so far) is larger than the cap, in bytes.
    case bodyTooLarge(cap: Int)
    /// No complete answer within the per-request deadline, in seconds.
    case deadline(seconds: TimeInterval)
}

/// Runs requests of one `URLSession` with two bounds URLSession itself does not give: a cap on the
/// body, enforced while the bytes arrive (a huge body is never held in memory, and a declared
/// `Content-Length` over the cap is refused before any byte of it), and a total deadline per
/// request that also covers trickling bodies and headers that never end (the session's own
/// timeout only measures silence).
///
/// Also the session's redirect policy: redirects are never followed, so a credential cannot
/// follow one to another host; the caller sees the 3xx.
final class BoundedTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private final class Transfer {
        let cap: Int
        var body = Data()
        var response: HTTPURLResponse?
        var limit: TransferLimit?
        var continuation: CheckedContinuation<(Data, HTTPURLResponse), Error>?
        var deadline: DispatchWorkItem?

        init(cap: Int) {
            self.cap = cap
        }
    }

    private let lock = NSLock()
    private var transfers: [Int: Transfer] = [:]

    /// Sends `request` on `session` (whose delegate must be this object) and returns the whole
    /// answer, or throws ``TransferLimit`` or the session's error.
    func run(_ request: URLRequest, on session: URLSession, cap: Int, deadline: TimeInterval) async throws -> (Data, HTTPURLResponse) {
        let task = session.dataTask(with: request)
        let transfer = Transfer(cap: cap)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timer = DispatchWorkItem { [weak self] in
                    self?.stop(task, because: .deadline(seconds: deadline))
                }
                lock.withLock {
                    transfer.continuation = continuation
                    transfer.deadline = timer
                    transfers[task.taskIdentifier] = transfer
                }
                DispatchQueue.global().asyncAfter(deadline: .now() + deadline, execute: timer)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    private func stop(_ task: URLSessionTask, because limit: TransferLimit) {
        let known = lock.withLock { () -> Bool in
            guard let transfer = transfers[task.taskIdentifier] else { return false }
            if transfer.limit == nil { transfer.limit = limit }
            return true
        }
        if known { task.cancel() }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        let tooLarge = lock.withLock { () -> Int? in
            guard let transfer = transfers[dataTask.taskIdentifier] else { return nil }
            transfer.response = response as? HTTPURLResponse
            if response.expectedContentLength > Int64(transfer.cap) {
                if transfer.limit == nil { transfer.limit = .bodyTooLarge(cap: transfer.cap) }
                return transfer.cap
            }
            return nil
        }
        completionHandler(tooLarge == nil ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overflow = lock.withLock { () -> Bool in
            guard let transfer = transfers[dataTask.taskIdentifier], transfer.limit == nil else { return false }
            if transfer.body.count + data.count > transfer.cap {
                transfer.limit = .bodyTooLarge(cap: transfer.cap)
                // What arrived so far is dropped at once: the cap bounds memory, not only the result.
                transfer.body = Data()
                return true
            }
            transfer.body.append(data)
            return false
        }
        if overflow { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let transfer = lock.withLock({ transfers.removeValue(forKey: task.taskIdentifier) }) else { return }
        transfer.deadline?.cancel()
        let response = transfer.response ?? task.response as? HTTPURLResponse
        if let limit = transfer.limit {
            transfer.continuation?.resume(throwing: limit)
        } else if let error {
            transfer.continuation?.resume(throwing: error)
        } else if let response {
            transfer.continuation?.resume(returning: (transfer.body, response))
        } else {
            transfer.continuation?.resume(throwing: URLError(.badServerResponse))
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
