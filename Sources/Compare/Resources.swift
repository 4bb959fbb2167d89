import AuditModel
import Foundation
import Warehouse

// The serving hosts' resources (`operational.resources`, docs/compare.md, "Serving
// resources"): per host over the period, the highest memory share, the highest disk share,
// cpu and io_wait, and the uptime share, judged against the SLOs.
//
// The window is the period [date 00:00 UTC, the next period's date 00:00 UTC) of the
// snapshots' cadence, cut into slots of `sample_interval_seconds` (slot k holds the samples
// with start + k·interval ≤ t < start + (k+1)·interval; the last slot may be shorter).
// A host's slot is up when it holds at least one of the host's samples and none of them says
// `up = false` (a sample without `up` counts as up: the host reported). A slot without a
// sample is a gap and counts as down. uptime share = up slots / slots in the window.
// A host is audited when it has at least one sample inside the window; samples outside the
// window are stored, counted (`samples_outside_period`) and not audited.
extension Comparison {
    mutating func resourcesSection() throws -> AuditSummary.ResourcesSection? {
        guard let spec = definition.operational?.resources else { return nil }
        let start = day.startEpochSeconds * 1000
        let end = cadence.end(of: day).startEpochSeconds * 1000
        let path = loaded.resourcesPath(for: day)
        let file = try store.resourceFile(pipelineId: pipelineId, date: day.description)
        let samples = try file.map { try store.resourceSamples(fileId: $0.id) } ?? []
        let section = ResourceAudit.section(
            samples: samples, start: start, end: end, spec: spec, path: file == nil ? nil : path,
            counts: (file?.rowsRead ?? 0, file?.rowsStored ?? 0, file?.rowsQuarantined ?? 0))
        findings += ResourceAudit.findings(section, spec: spec, fileFound: file != nil, period: "\(cadence.noun) of \(day)")
        return section
    }
}

/// The resource audit as pure functions of the stored samples (tested against pandas,
/// scripts/reference/resources_reference.py).
public enum ResourceAudit {
    public static func section(
        samples: [ResourceSample], start: Int64, end: Int64, spec: ResourcesSpec, path: String?,
        counts: (read: Int, stored: Int, quarantined: Int)
    ) -> AuditSummary.ResourcesSection {
        let interval = spec.interval * 1000
        let slots = max(1, Int((Double(end - start) / interval).rounded(.up)))
        var byHost: [String: [ResourceSample]] = [:]
        var outside = 0
        for s in samples {
            guard s.epochMilliseconds >= start, s.epochMilliseconds < end else {
                outside += 1
                continue
            }
            byHost[s.host, default: []].append(s)
        }
        // Host order: by UTF-8 bytes (code point order), the same on every platform.
        let names = byHost.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var hosts: [AuditSummary.ResourcesSection.Host] = []
        for name in names.prefix(AuditSummary.ResourcesSection.maxHosts) {
            let list = byHost[name]!
            var upSlots = Set<Int>(), downSlots = Set<Int>()
            for s in list {
                let k = Int((Double(s.epochMilliseconds - start) / interval).rounded(.down))
                if s.up == false { downSlots.insert(k) } else { upSlots.insert(k) }
            }
            let up = upSlots.subtracting(downSlots).count
            let memory = list.compactMap { s -> Double? in
                guard let used = s.memoryBytes, let total = s.memoryTotalBytes ?? spec.memoryTotalBytes, total > 0 else { return nil }
                return used / total
            }
            let cpu = list.compactMap(\.cpu), io = list.compactMap(\.ioWait)
            hosts.append(.init(
                host: name, samples: list.count, upSlots: up, uptimeShare: Double(up) / Double(slots),
                maxMemoryShare: memory.max(), maxDiskUsedShare: list.compactMap(\.diskUsedShare).max(),
                meanCpu: mean(cpu), maxCpu: cpu.max(), meanIoWait: mean(io), maxIoWait: io.max()))
        }
        return AuditSummary.ResourcesSection(
            path: path, periodStart: Timestamp.format(epochMilliseconds: start), periodEnd: Timestamp.format(epochMilliseconds: end),
            sampleIntervalSeconds: spec.interval, expectedSamples: slots, rowsRead: counts.read, rowsStored: counts.stored,
            rowsQuarantined: counts.quarantined, samplesOutsidePeriod: outside, hosts: hosts,
            hostsOmitted: max(0, names.count - AuditSummary.ResourcesSection.maxHosts))
    }

    /// The plain mean in sample order (pandas sums pairwise, so the reference tests compare
    /// with a relative tolerance of 1e-12).
    static func mean(_ xs: [Double]) -> Double? {
        xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
    }

    public static func findings(
        _ s: AuditSummary.ResourcesSection, spec: ResourcesSpec, fileFound: Bool, period: String
    ) -> [Finding] {
        var out: [Finding] = []
        if s.hosts.isEmpty {
            out.append(Finding(
                CheckCatalog.resourcesMissing, severity: .warning,
                message: fileFound
                    ? "the resources file has no sample inside the \(period) (\(s.samplesOutsidePeriod) outside it)"
                    : "no resources file for the \(period)",
                observed: fileFound ? "0 samples in the period" : "no file", expected: "samples of every serving host"))
            return out
        }
        func host(_ h: String) -> String { "'\(SafeText.cut(h))'" }
        let memory = spec.memoryThresholds, disk = spec.diskThresholds, uptime = spec.uptimeThresholds
        for h in s.hosts {
            if let v = h.maxMemoryShare, let sev = memory.severity(over: v) {
                out.append(Finding(
                    CheckCatalog.resourcesMemory, severity: sev,
                    message: "host \(host(h.host)) used up to \(formatPercent(v)) of its memory over the \(period)",
                    observed: formatPercent(v), expected: "≤ \(formatPercent((sev == .critical ? memory.critical : memory.warning) ?? 0))"))
            }
            if let v = h.maxDiskUsedShare, let sev = disk.severity(over: v) {
                out.append(Finding(
                    CheckCatalog.resourcesDisk, severity: sev,
                    message: "host \(host(h.host)) filled up to \(formatPercent(v)) of its disk over the \(period)",
                    observed: formatPercent(v), expected: "≤ \(formatPercent((sev == .critical ? disk.critical : disk.warning) ?? 0))"))
            }
            if let sev = uptime.severity(below: h.uptimeShare) {
                out.append(Finding(
                    CheckCatalog.resourcesUptime, severity: sev,
                    message: "host \(host(h.host)) was up in \(h.upSlots) of \(s.expectedSamples) sampling intervals of \(formatNumber(s.sampleIntervalSeconds)) s over the \(period) (down or silent in the rest)",
                    observed: formatPercent(h.uptimeShare),
                    expected: "≥ \(formatPercent((sev == .critical ? uptime.critical : uptime.warning) ?? 0))"))
            }
        }
        return out
    }
}
