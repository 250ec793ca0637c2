import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real HTTP/1.1 server on 127.0.0.1 that waits a fixed latency before every answer, like a
/// distant API: POSIX sockets, one thread per connection, `Connection: close`. It counts what
/// it answered by kind, so the benchmark reports what the server saw, not what the client says.
final class LatencyHTTPServer: @unchecked Sendable {
    struct Request {
        var method: String
        var target: String
        var headers: [String: String]
        var body: Data

        var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
    }

    struct Response {
        var status: Int
        var headers: [String: String] = [:]
        var body = Data()
    }

    private let listener: Int32
    private let latency: TimeInterval
    private let handler: (Request) -> Response
    private let lock = NSLock()
    private var stopped = false
    let port: UInt16

    init(latency: TimeInterval, handler: @escaping (Request) -> Response) throws {
        self.latency = latency
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
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
        thread.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) || errno != EINTR { return }
                continue
            }
            let thread = Thread { [self] in serve(client) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var headerEnd: Int?
        while headerEnd == nil, buffer.count < 1 << 20 {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            let searchFrom = max(0, buffer.count - 3)
            buffer += chunk[0..<n]
            if buffer.count >= 4 {
                headerEnd = (searchFrom...(buffer.count - 4)).first { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }
            }
        }
        guard let end = headerEnd else { return }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ").map(String.init) ?? []
        guard requestLine.count >= 2 else { return }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(buffer[(end + 4)...])
        let expected = min(Int(headers["content-length"] ?? "0") ?? 0, 8 << 20)
        while body.count < expected {
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            body += chunk[0..<n]
        }
        let response = handler(Request(method: requestLine[0], target: requestLine[1], headers: headers, body: body))
        Thread.sleep(forTimeInterval: latency)
        var head = "HTTP/1.1 \(response.status) \(response.status == 304 ? "Not Modified" : response.status < 300 ? "OK" : "Error")\r\n"
        var all = response.headers
        all["Content-Length"] = String(response.body.count)
        all["Connection"] = "close"
        for (name, value) in all { head += "\(name): \(value)\r\n" }
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
