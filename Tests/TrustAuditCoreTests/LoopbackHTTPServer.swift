import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small real HTTP/1.1 server on 127.0.0.1 for the live-collector tests: POSIX sockets, one
/// thread per connection, `Connection: close` after every answer. Routes are closures that see
/// the request and return any status, headers and body, optionally after a delay. Every request
/// is recorded (path, headers) so tests can count retries and look for leaked credentials.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        /// Path with query, as sent.
        var target: String
        /// Lowercased names.
        var headers: [String: String]
        /// The body of a POST (GraphQL), as sent with `Content-Length`.
        var body = Data()

        var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        var query: [String: String] {
            guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            var result: [String: String] = [:]
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                result[parts[0]] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            }
            return result
        }
    }

    struct Response {
        var status: Int
        var headers: [String: String] = [:]
        var body: Data = Data()
        /// Seconds to wait before answering.
        var delay: TimeInterval = 0
        /// Writes the whole answer itself, bytes on the wire (status line included), for hostile
        /// servers: bodies larger than memory, bytes that trickle, headers that never end. It
        /// gets a `send` that returns false once the client has gone, and must stop then.
        var raw: (@Sendable (_ send: (Data) -> Bool) -> Void)?

        static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Response {
            var all = headers
            all["Content-Type"] = "application/json; charset=utf-8"
            return Response(status: status, headers: all, body: Data(text.utf8))
        }

        static func json(object: Any, status: Int = 200, headers: [String: String] = [:]) -> Response {
            let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return json(String(decoding: data, as: UTF8.self), status: status, headers: headers)
        }
    }

    typealias Handler = (Request) -> Response

    private let lock = NSLock()
    private var handler: Handler
    private var log: [Request] = []
    private let listener: Int32
    private var stopped = false
    let port: UInt16

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func setHandler(_ handler: @escaping Handler) {
        lock.withLock { self.handler = handler }
    }

    var requests: [Request] { lock.withLock { log } }

    func count(_ predicate: (Request) -> Bool) -> Int { requests.filter(predicate).count }

    /// Idempotent: the descriptor is closed once (a second close could hit a reused number).
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let terminator: [UInt8] = [13, 10, 13, 10]
        // Headers only: the collectors send GETs without bodies. Bounded at 64 KiB.
        while buffer.count < 65_536 {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            buffer += chunk[0..<n]
            if buffer.count >= 4, (0...(buffer.count - 4)).contains(where: { Array(buffer[$0..<$0 + 4]) == terminator }) { break }
        }
        let text = String(decoding: buffer, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data()
        if let end = (0...(buffer.count - 4)).first(where: { Array(buffer[$0..<$0 + 4]) == terminator }) {
            body = Data(buffer[(end + 4)...])
        }
        // Bounded like the headers: a GraphQL query of the tests is a few kilobytes.
        let expected = min(Int(headers["content-length"] ?? "0") ?? 0, 1 << 20)
        while body.count < expected {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            body += chunk[0..<n]
        }
        let request = Request(method: requestLine[0], target: requestLine[1], headers: headers, body: body)
        let handler = lock.withLock { () -> Handler in
            log.append(request)
            return self.handler
        }
        let response = handler(request)
        if response.delay > 0 { Thread.sleep(forTimeInterval: response.delay) }
        if let raw = response.raw {
            raw { data in
                var sent = 0
                while sent < data.count {
                    let n = data[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return false }
                    sent += n
                }
                return true
            }
            return
        }
        var head = "HTTP/1.1 \(response.status) \(HTTPURLResponseReason.text(response.status))\r\n"
        var all = response.headers
        all["Content-Length"] = String(response.body.count)
        all["Connection"] = "close"
        for (name, value) in all.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = [UInt8](head.utf8) + [UInt8](response.body)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

private enum HTTPURLResponseReason {
    static func text(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 304: return "Not Modified"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        default: return "Status"
        }
    }
}
