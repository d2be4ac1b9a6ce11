import Foundation
import ScrubjayTestSupport

/// The result of running a helper tool (python3, openssl) from a test.
struct ToolResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` (looked up on PATH via /usr/bin/env) with `arguments`, feeding `input` on stdin.
func runTool(_ executable: String, _ arguments: [String], input: Data = Data()) throws -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(input)
    try stdin.fileHandleForWriting.close()
    // The tools used here write little to stderr, so reading stdout first cannot deadlock.
    let outData = stdout.fileHandleForReading.readDataToEndOfFile()
    let errData = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus, stdout: outData,
                      stderr: String(decoding: errData, as: UTF8.self))
}

/// A fresh empty directory under the system temporary directory, removed by `cleanup`.
struct TemporaryDirectory {
    let path: String
    init() throws {
        path = scratchPath("scrubjay-native-tests")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}
