import Foundation

/// Where the tests of one run keep their scratch files: one directory under the system's
/// temporary directory, named for the process, removed when the run exits. Tests name their
/// files under it (`scratchPath`) and need not clean up after themselves, so a failing or
/// interrupted expectation leaves nothing behind in /tmp either.
public enum TestScratch {
    /// The run's directory, made on first use.
    public static let root: String = {
        let d = (NSTemporaryDirectory() as NSString).appendingPathComponent("scrubjay-tests-\(getpid())")
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestScratch.root) }
        return d
    }()
}

/// A fresh path in the run's scratch directory, `prefix` then a UUID (nothing is created).
public func scratchPath(_ prefix: String) -> String {
    TestScratch.root + "/\(prefix)-\(UUID().uuidString)"
}
