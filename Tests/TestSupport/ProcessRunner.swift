import Foundation

/// The outcome of a finished command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// A command that exited non-zero, with what it printed.
public struct CommandFailure: Error, CustomStringConvertible {
    public var command: [String]
    public var result: CommandResult
    public var description: String {
        "command failed (\(result.status)): \(command.joined(separator: " "))\nstdout: \(result.stdout.suffix(2000))\nstderr: \(result.stderr.suffix(4000))"
    }
}

/// Runs external programs (oracles, reference clients) to completion.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and returns what it printed.
    /// Throws `CommandFailure` on a non-zero exit unless `check` is false.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], stdin: Data? = nil,
        environment: [String: String] = [:], check: Bool = true
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        // Files rather than pipes: a chatty child cannot block on a full pipe buffer.
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let result = CommandResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        if check && result.status != 0 {
            throw CommandFailure(command: [executable] + arguments, result: result)
        }
        return result
    }

    /// Runs a Python oracle script from `Tests/Oracles/` with the venv's interpreter.
    @discardableResult
    public static func oracle(_ script: String, _ arguments: [String], stdin: Data? = nil,
                              environment: [String: String] = [:]) throws -> CommandResult {
        try run(try TestEnvironment.python(), [TestEnvironment.oracle(script)] + arguments,
                stdin: stdin, environment: environment)
    }

    /// Runs SQL through the DuckDB CLI and returns its CSV output (with header).
    public static func duckdb(_ sql: String) throws -> String {
        try run(try TestEnvironment.duckdb(), ["-csv", "-c", sql]).stdout
    }
}
