import ArgumentParser
import ScrubjayFormats
import ScrubjayIO
import ScrubjayJSON
import ScrubjayNative
import ScrubjayPackage
import ScrubjayProvenance
import ScrubjayReport
import ScrubjayRules
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`, printing any library error on stderr and turning it into the documented exit code.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as FileError where StandardInput.isDash(error) {
        // `-` given to a command that reads a package by name.
        printError(StandardInput.notReadHere)
        throw ExitStatus.usage.exitCode
    } catch let error as FileError {
        printError(error.description)
        switch error.operation {
        case .open, .stat, .read:
            throw (error.errno == ENOENT || error.errno == EISDIR ? ExitStatus.usage : .malformedInput).exitCode
        case .write, .create, .rename:
            throw ExitStatus.outputFailed.exitCode
        }
    } catch let error as ArchiveError {
        printError(error.description)
        throw ExitStatus.outputFailed.exitCode
    } catch let error as CoverageError {
        // The package changed after it was signed: a failed check, not a usage problem.
        printError(error.description)
        throw ExitStatus.checkFailed.exitCode
    } catch let error as PackageError where error.notAPackage {
        // A recording given to a command that takes a package: a usage problem, as for verify.
        printError(error.description)
        throw ExitStatus.usage.exitCode
    } catch let error as FormatError where error.kind == .unknownShape && error.detail.contains("\n") {
        // The list of supported shapes is Scrubjay's own text, one shape a line (docs/INPUTS.md):
        // printed as lines, where printError would show its line breaks as \n escapes.
        let list = error.detail.drop { $0 != "\n" }
        printError(String(error.description.dropLast(list.count)))
        var stderr = StandardError()
        print(list.dropFirst(), to: &stderr)
        throw ExitStatus.malformedInput.exitCode
    } catch let error as any Error & CustomStringConvertible where error is JSONError || error is FormatError
                || error is PackageError || error is RuleError || error is KeyFileError || error is DSSEError
                || error is CryptoError || error is ReportError || error is TemplateError {
        // An input that exists but cannot be used: its message names the file and the place.
        printError(error.description)
        throw ExitStatus.malformedInput.exitCode
    }
}
