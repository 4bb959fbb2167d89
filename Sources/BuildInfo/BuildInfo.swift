/// What this binary was built from, recorded in every manifest.
///
/// The commit comes from the `SourceCommit` build plugin (Plugins/SourceCommit), which runs
/// `scripts/source-commit.sh` before each build: the git commit, with `-dirty` when tracked
/// files differed from it, `MLAUDIT_SOURCE_COMMIT` when set, or `unknown`.
public enum BuildInfo {
    /// The source commit, e.g. `1b5593dd…` or `1b5593dd…-dirty` or `unknown`.
    public static let sourceCommit: String = generatedSourceCommit
}
