/// The version of MLAudit, recorded in every report, manifest and run.
public enum MLAuditVersion {
    public static let current = "0.1.0"
}
