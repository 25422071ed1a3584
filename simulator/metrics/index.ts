export { MetricsCollector, LOST_IN_FLIGHT_AT_END, type DeliveryOutcome, type LiveSnapshot, type MetricsOptions, type Percentiles, type Series, type Summary } from "./collector";
export { LatencyHistogram } from "./latency-histogram";
export { SampleSet } from "./percentile";
export { parseAssertions, evaluateAssertions, assertionExitCode, type Assertion, type AssertionResult } from "./assertions";
export { ProgressLine, formatProgress, formatSummary, type ProgressStream } from "./progress";
