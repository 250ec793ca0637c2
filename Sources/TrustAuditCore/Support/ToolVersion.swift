/// trustaudit's version, as `--version`, the reports, the HTTP User-Agent and each scan's row give it.
public enum ToolVersion {
    public static let current = "0.1.0"
}
