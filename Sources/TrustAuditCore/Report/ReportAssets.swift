/// The HTML report's stylesheet and script. They are kept as files in `Report/Assets/`, where
/// they read and lint as CSS and JavaScript, and compiled into the binary by the EmbedResources
/// plugin, so a copied `trustaudit` still writes self-contained reports.
enum ReportAssets {
    static let style = text(of: "report.css", in: embeddedReportStyles)
    static let script = text(of: "report.js", in: embeddedReportScripts)

    /// A file's text without the final newline an editor adds, so the report holds exactly the
    /// rules and code. The build embeds every file of the folder, so a missing name is a build
    /// mistake that the report tests catch (an unstyled report, no filter).
    private static func text(of name: String, in files: [(name: String, text: String)]) -> String {
        guard let file = files.first(where: { $0.name == name }) else { return "" }
        return file.text.hasSuffix("\n") ? String(file.text.dropLast()) : file.text
    }
}
