/// The ingestion and derivation stages every scan runs, in order.
public enum StandardStages {
    public static func make(githubSettings: [InputDocument], octopus: [InputDocument]) -> [any ScanStage] {
        []
    }
}
