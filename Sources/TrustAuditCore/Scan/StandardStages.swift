/// The ingestion and derivation stages every scan runs, in order: read the settings and Octopus
/// exports, then derive subjects and the trust graph from everything stored.
public enum StandardStages {
    public static func make(githubSettings: [InputDocument], octopus: [InputDocument]) -> [any ScanStage] {
        [InputIngestionStage(githubSettings: githubSettings, octopus: octopus), TrustGraphStage()]
    }
}
