/**
 * The bench's two SLOs, in one place: the SLO file slo reads, and the names
 * and values other tools' queries count the same events by (bench/duckdb.ts).
 */

export const AVAILABILITY_SLO = "check-balance-availability";
export const LATENCY_SLO = "somesystem-latency";
/** The `msg` of the lines both SLOs count. */
export const EVENT_MSG = "brkr-somesystem-http-response";
/** The availability SLO counts this action's calls; a status at or over BAD_STATUS is bad. */
export const AVAILABILITY_ACTION = "CheckBalance";
export const BAD_STATUS = 500;
/** The latency SLO: an event is good when its duration (ms) is at most this. */
export const LATENCY_THRESHOLD_MS = 300;
/** Both SLOs' window, as slo's report names it. */
export const SLO_WINDOW = { name: "30d", ms: 30 * 86_400_000 };

const TOTAL = `{app="ctrl"} | json | msg = "${EVENT_MSG}"`;

/** The bench's two SLOs over a source of their own; groupBy: each grouped by it. */
export function sloText(service: string, source: string, paths: string, groupBy?: string): string {
  const grouped = groupBy ? `    groupBy: ${groupBy}\n` : "";
  return `# written by bench/run.ts
service: ${service}
sources:
  ${source}:
    type: logs
    paths: [${paths}]
    timestamp: t
    labels: { app: ctrl }
slos:
  - name: ${AVAILABILITY_SLO}
    objective: 99.5%
    window: ${SLO_WINDOW.name}
${grouped}    indicator:
      ratio:
        source: logs
        total: '${TOTAL} | action = "${AVAILABILITY_ACTION}"'
        bad: '${TOTAL} | action = "${AVAILABILITY_ACTION}" | status >= ${BAD_STATUS}'
  - name: ${LATENCY_SLO}
    objective: 99%
    window: ${SLO_WINDOW.name}
${grouped}    indicator:
      latency:
        source: logs
        events: '${TOTAL}'
        field: duration
        unit: ms
        threshold: ${LATENCY_THRESHOLD_MS}ms
`.replaceAll("source: logs", `source: ${source}`);
}
