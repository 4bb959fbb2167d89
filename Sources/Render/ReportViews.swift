import AuditModel
import Warehouse

/// View models for the templates. Mustache is logic-less: everything a template shows is
/// computed here (text, numbers already formatted, chart geometry), and the templates only
/// lay it out. Plain structs: swift-mustache reads their properties by reflection.
struct ReportView {
    let title: String
    let pipeline: String
    let description: String?
    let modelName: String
    let modelVersion: String
    let date: String
    let version: Int
    let status: String
    let statusWord: String
    let statusLabel: String
    let recommendation: String
    let recommendationLabel: String
    let reasons: [String]
    let critical: Int
    let warning: Int
    let info: Int
    let keyNumbers: [KeyNumberView]
    let hasFindings: Bool
    let findingGroups: [FindingGroup]
    let topFindings: [FindingView]
    let hasTopFindings: Bool
    /// What to do, once per check among the top findings.
    let actions: [ActionView]
    let rowsRead: String
    let rowsStored: String
    let rowsQuarantined: String
    let quarantinedShare: String
    let quarantineReasons: [ReasonView]
    let quarantineSamples: [QuarantineView]
    let hasQuarantine: Bool
    let nullRates: [NullRateView]
    let hasNullRates: Bool
    let nullRateNote: String
    let qualityFindings: [FindingView]
    let driftRows: [DriftRowView]
    let driftedFeatureRows: [DriftRowView]
    let hasDriftedFeatures: Bool
    let outputDriftRows: [DriftRowView]
    let hasOutputDrift: Bool
    let driftSummary: String
    let datasetDrift: Bool
    let driftCharts: [ChartView]
    let hasDriftCharts: Bool
    let performanceAvailable: Bool
    let performanceNote: String
    let performanceRows: [MetricRowView]
    let estimatedRows: [MetricRowView]
    let hasEstimates: Bool
    let confusion: ConfusionView?
    let operationalRows: [MetricRowView]
    let hasOperational: Bool
    let operationalFindings: [FindingView]
    let debtFindings: [FindingView]
    let hasDebt: Bool
    var hasFairness = false
    var fairnessNote = ""
    var fairnessTables: [FairnessTableView] = []
    var fairnessFindings: [FindingView] = []
    /// The "Segments and fairness" section is shown (segments or fairness configured).
    var hasSegmentsSection = false
    var hasSegments = false
    var segmentsNote = ""
    var segmentTables: [SegmentTableView] = []
    var segmentFindings: [FindingView] = []
    /// The serving hosts' resources (`operational.resources`), in the operational section.
    var hasResources = false
    var resourcesNote = ""
    var resourceRows: [ResourceHostView] = []
    let trends: [SparklineView]
    let trendRange: String
    let definitions: [TermView]
    let provenance: [TermView]
    let inputs: [InputView]
    let stages: [StageView]
    let htmlLink: String
}

struct KeyNumberView {
    let label: String
    let value: String
    /// ok, warning or critical (a CSS class), and the same as a word.
    let tone: String
    let toneWord: String
    let detail: String
}

struct ActionView {
    let check: String
    let advice: String
}

struct FindingGroup {
    let severity: String
    let title: String
    let findings: [FindingView]
}

struct FindingView {
    let severity: String
    let severityLabel: String
    let check: String
    let category: String
    let column: String
    let hasColumn: Bool
    /// `column = value` of a segment finding (escaped), empty otherwise.
    var segment: String = ""
    var hasSegment: Bool = false
    let message: String
    let observed: String
    let expected: String
    let advice: String
}

struct ReasonView {
    let reason: String
    let count: Int
}

struct QuarantineView {
    let file: String
    let line: Int
    let reason: String
    let raw: String
}

struct NullRateView {
    let column: String
    let rate: String
    let baseline: String
}

struct DriftRowView {
    let column: String
    let role: String
    let method: String
    let statistic: String
    let pValue: String
    let threshold: String
    let verdict: String
    let drifted: Bool
    let counts: String
}

struct ChartView {
    let id: String
    let title: String
    let summary: String
    let width: Int
    let height: Int
    let bars: [BarView]
    let labels: [AxisLabelView]
    let plotLeft: String
    let plotRight: String
    let baseY: String
    let topY: String
    let legendY: Int
}

struct BarView {
    let x: String
    let y: String
    let width: String
    let height: String
    let fill: String
    let series: String
    let tip: String
}

struct AxisLabelView {
    let x: String
    let y: String
    let text: String
    let anchor: String
}

/// One serving host's row of the resources table (values escaped for the format).
struct ResourceHostView {
    let host: String
    let samples: String
    let uptime: String
    let memory: String
    let disk: String
    let cpu: String
    let ioWait: String
    /// A finding names this host.
    let flagged: Bool
}

struct MetricRowView {
    let name: String
    /// The metric's name in summary.json.
    let key: String
    /// The metric judged against the baseline (`performance.metric`).
    let judged: Bool
    let current: String
    let baseline: String
    let delta: String
}

struct ConfusionView {
    let tn: Int
    let fp: Int
    let fn: Int
    let tp: Int
}

struct SparklineView {
    let title: String
    let summary: String
    let last: String
    let points: String
    let dots: [DotView]
    let hasLine: Bool
    let reference: ReferenceLineView?
    let firstDate: String
    let lastDate: String
    let width: Int
    let height: Int
}

/// A dashed horizontal line on a sparkline: a threshold or the baseline's value.
struct ReferenceLineView {
    let y: String
    let x2: String
    let label: String
}

struct DotView {
    let cx: String
    let cy: String
    let current: Bool
}

struct TermView {
    let term: String
    let text: String
}

struct InputView {
    let role: String
    let path: String
    let sha256: String
    let bytes: String
}

struct StageView {
    let stage: String
    let run: String
    let started: String
    let finished: String
    let duration: String
}

/// One segment column's table in "Segments and fairness".
struct SegmentTableView {
    let column: String
    let caption: String
    let rows: [SegmentRowView]
    /// Small multiples: the judged metric of each judged segment over the trend window (stored
    /// properties: the template engine reads views by reflection, which sees no computed ones).
    var trends: [SparklineView] = [] { didSet { hasTrends = !trends.isEmpty } }
    var hasTrends = false
    var trendsNote = ""
}

struct SegmentRowView {
    let value: String
    let rows: String
    let baselineRows: String
    let judged: String
    let driftedShare: String
    let metric: String
    let baselineMetric: String
    let note: String
    /// The segment has a finding.
    let flag: Bool
}

/// One protected attribute's table in "Segments and fairness".
struct FairnessTableView {
    let attribute: String
    let summary: String
    let rows: [FairnessRowView]
}

struct FairnessRowView {
    let value: String
    let rows: String
    let selectionRate: String
    let impactRatio: String
    let truePositiveRate: String
    let falsePositiveRate: String
    let precision: String
    let accuracy: String
    /// Not judged (too few rows), the reference group, or below the four-fifths line.
    let note: String
    let flag: Bool
}
