/**
 * A synthetic three-day incident in structured JSON logs, made so every
 * alert transition can be worked out by hand (objective 99%, 30d window).
 *
 * Traffic: one request every 30 s (at :00 and :30 of every minute), from
 * three days before the incident (so the 3d window is full) to 80 h after
 * its start. Times below are minutes after the incident starts (S).
 * - A spike: minutes 0-59, the :30 request fails (50% errors, burn 50).
 * - A slow burn: from minute 60 to the end of day 3 (minute 4320), the :00
 *   request of every 15th minute fails (1 in 30, burn 3.33).
 *
 * Page (1h/5m at 14.4, 6h/30m at 6): the 1h window (120 requests) needs 18
 * errors: the 18th spike error, S+17:30. The 5m window needs 2 errors, so
 * 1h/5m stops at S+64:30; the 30m window needs 4, so 6h/30m stops at S+88:30
 * (spike errors 58:30, 59:30 and slow ones at 60:00, 75:00 until then).
 * Ticket (1d/2h at 3, 3d/6h at 1): the 1d and 3d windows need 87 errors:
 * 60 from the spike and the 27th slow error, at S+450 min (7h30m); the 2h
 * window then holds 8 slow errors (needs 8). After the incident the 6h window
 * keeps 8 slow errors until the last of them leaves it: S+76h.
 */

import { writeFile } from "node:fs/promises";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Hand-worked transitions, in ms after the incident's start. */
export const EXPECTED = {
  pageStarts: 17 * MINUTE + 30_000,
  pageStops: 88 * MINUTE + 30_000,
  ticketStarts: 450 * MINUTE,
  ticketStops: 76 * HOUR,
} as const;

export interface IncidentEvent {
  t: number;
  bad: boolean;
}

/** Every request of the scenario, oldest first. */
export function incidentEvents(startMs: number): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (let t = startMs - 3 * DAY; t <= startMs + 80 * HOUR; t += 30_000) {
    const offset = t - startMs;
    const minute = Math.floor(offset / MINUTE);
    const second = (offset - minute * MINUTE) / 1000;
    const spike = minute >= 0 && minute < 60 && second === 30;
    const slow = minute >= 60 && minute < 3 * 24 * 60 && minute % 15 === 0 && second === 0;
    events.push({ t, bad: spike || slow });
  }
  return events;
}

/** NDJSON lines like a service's request log: msg, status, duration. */
export function incidentLog(startMs: number): string {
  return incidentEvents(startMs)
    .map((e, i) =>
      JSON.stringify({
        t: new Date(e.t).toISOString(),
        level: e.bad ? "error" : "info",
        msg: e.bad ? (i % 3 === 0 ? "upstream-timeout" : "db-connection-refused") : "request-done",
        status: e.bad ? 503 : 200,
        duration: e.bad ? 2500 : 40 + (i % 50),
      }),
    )
    .join("\n")
    .concat("\n");
}

export function incidentSlo(options: {
  logPath: string;
  notify?: string | undefined;
  /** more SLO list items, indented like the first */
  extraSlos?: string | undefined;
  description?: string | undefined;
}): string {
  return `service: checkout
labels: { team: payments, "app.kubernetes.io/name": checkout }
sources:
  logs:
    type: logs
    paths: [${JSON.stringify(options.logPath)}]
slos:
  - name: availability
    description: ${JSON.stringify(options.description ?? "Checkout answers without a server error")}
    objective: 99%
    window: 30d
    runbook: https://runbooks.example/checkout
    indicator:
      ratio:
        source: logs
        total: '| json'
        bad: '| json | status >= 500'
${options.extraSlos ?? ""}${options.notify ?? ""}`;
}

export async function writeIncident(
  dir: string,
  startMs: number,
  options: { notify?: string; extraSlos?: string; description?: string } = {},
) {
  const logPath = `${dir}/checkout.ndjson`;
  const sloPath = `${dir}/checkout.yaml`;
  await writeFile(logPath, incidentLog(startMs));
  await writeFile(sloPath, incidentSlo({ logPath, ...options }));
  return { logPath, sloPath };
}

/** The incident's start in the CLI tests, the instant its page fires, and a second SLO on the same logs. */
export const INCIDENT_START = Date.parse("2026-11-20T00:00:00Z");
export const PAGE_AT = new Date(INCIDENT_START + EXPECTED.pageStarts).toISOString();
export const SECOND_SLO = `  - name: availability-strict
    objective: 99%
    window: 30d
    indicator:
      ratio:
        source: logs
        total: '| json'
        bad: '| json | status >= 500'
`;
