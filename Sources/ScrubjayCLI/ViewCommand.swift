import ArgumentParser
import Foundation
import ScrubjayIO
import ScrubjayPackage
import ScrubjayReport

/// `scrubjay view PACKAGE -o replay.html [--player-dir DIR]`.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Write one HTML page that replays a package in rrweb-player.",
        discussion: """
        The page embeds the package's events (assets restored), one player per window with a \
        selector when there are several. With --player-dir the player's script and stylesheet \
        are inlined from that directory (rrweb-player*.js and rrweb-player*.css, or index.js and \
        style.css: the django-rrweb PyPI package ships them in static/django-rrweb/), so the page \
        works offline; without it the page loads rrweb-player \(ViewerPage.playerVersion) from \
        \(ViewerPage.cdnBase). The page runs the recording's DOM in the player's sandboxed \
        iframe; share the page only as you would the package.

        Exit 0: written. Exit 2: bad flags, a missing package, or no player files in \
        --player-dir. Exit 3: a package or template that cannot be read. Exit 4: the output \
        could not be written.
        """
    )

    @Argument(help: "The package (ZIP or tar.gz).")
    var package: String

    @Option(name: .shortAndLong, help: "The page to write (atomically).")
    var output: String

    @Option(help: "A directory holding rrweb-player's script and stylesheet, inlined into the page.")
    var playerDir: String?

    @OptionGroup var templates: TemplateOptions

    func validate() throws {
        // As --template-dir: a directory that is not there is named as such, not searched for players.
        var isDirectory: ObjCBool = false
        if let playerDir, !(FileManager.default.fileExists(atPath: playerDir, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--player-dir \(playerDir): not a directory")
        }
    }

    func run() throws {
        let playerFiles = given("--player-dir", directory: playerDir) {
            $0.hasPrefix("rrweb-player") && ($0.hasSuffix(".js") || $0.hasSuffix(".css")) || $0 == "index.js" || $0 == "style.css"
        }
        try checkOutputs(given("-o", output), inputs: given("the package", package) + playerFiles + self.templates.inputFiles)
        let templates = try templates.load()
        var player: ViewerPage.Player?
        if let playerDir {
            do {
                player = try ViewerPage.Player(directory: playerDir)
            } catch let error as ReportError {
                printError(error.description)
                throw ExitStatus.usage.exitCode
            }
        }
        let pkg = try reportingErrors { try ReplayPackage.open(package) }
        let bytes = try reportingErrors {
            try ViewerPage.render(pkg, player: player, templates: templates, toolVersion: ScrubjayCommand.version)
        }
        try reportingErrors { try AtomicFileWriter.write(bytes, to: output) }
        let r = pkg.manifest.recording
        printWrote([output], "\(plural(r.eventCount, "event")) in \(plural(r.windows.count, "window")), rrweb-player "
                   + (playerDir.map { "inlined from \($0)" } ?? "loaded from \(ViewerPage.cdnBase) when the page opens"))
    }
}
