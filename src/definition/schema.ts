/**
 * The native SLO file, as zod schemas: the structure only. Cross-field rules
 * (sources that exist, unique names, queries that parse) live in normalize.ts,
 * where positions are at hand. schemas/slo.schema.json is generated from here.
 */

import { z } from "zod";
import {
  DEFAULT_CORRECTION_CATEGORY,
  DEFAULT_GATE,
  DEFAULT_GROUP_LIMIT,
  DEFAULT_MIN_EVENTS,
  DEFAULT_SOURCE,
  DEFAULT_TIMESLICE_MS,
} from "../defaults.js";
import { MAX_CORRECTION_PERIODS_PER_WINDOW, MAX_GROUP_LIMIT, MAX_WINDOW_MS } from "../limits.js";
import { formatDuration, parseDuration } from "./duration.js";
import { durationTooLong } from "./rules.js";

/** 0 -> "0", 0.25 -> "25%", as the descriptions have always said it. */
function percent(fraction: number): string {
  return fraction === 0 ? "0" : `${fraction * 100}%`;
}

const DURATION_DESCRIPTION =
  "A duration: a number and a unit (ms, s, m, h, d, w), e.g. 5m, 30d, 1h30m";

/** A duration as written; a window's length is checked in normalize, against the window limit. */
const durationSyntax = z.string().refine((s) => parseDuration(s) !== null, {
  message: "expected a duration like 30s, 5m, 1h, 30d or 4w",
});

/** Any other duration: none needs to be longer than the longest window (nor could be exact). */
const durationText = durationSyntax
  .refine((s) => (parseDuration(s) ?? 0) <= MAX_WINDOW_MS, {
    error: (issue) => durationTooLong(String(issue.input)),
  })
  .describe(DURATION_DESCRIPTION);

/** `99.9%` or `0.999`; the bounds are checked in normalize (they need the parsed value). */
const fraction = z
  .union(
    [
      z.number(),
      z
        .string()
        .regex(
          /^\s*\d+(\.\d+)?\s*%\s*$/,
          "expected a percentage like 99.9% or a fraction like 0.999",
        ),
    ],
    {
      error: "expected a percentage like 99.9% or a fraction like 0.999",
    },
  )
  .describe("A percentage (99.9%) or a fraction (0.999)");

const labels = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .describe("Labels: string keys and values");

const httpSourceFields = {
  url: z.string().min(1).describe("Base URL of the HTTP API"),
  headers: z.record(z.string(), z.string()).optional().describe("Extra HTTP headers"),
  bearerToken: z.string().optional().describe("Sent as Authorization: Bearer; use ${VAR}"),
  basicAuth: z
    .strictObject({ username: z.string(), password: z.string() })
    .optional()
    .describe("HTTP basic auth; use ${VAR} for the password"),
  timeout: durationText
    .optional()
    .describe(`Per-request timeout (default ${formatDuration(DEFAULT_SOURCE.timeoutMs)})`),
  retries: z
    .number()
    .int()
    .min(0)
    .max(10)
    .optional()
    .describe(`Retries after a failure (default ${DEFAULT_SOURCE.retries})`),
};

export const logsSourceSchema = z
  .strictObject({
    type: z.literal("logs"),
    paths: z
      .union([z.string(), z.array(z.string()).min(1)])
      .describe("Files, globs, .gz files, or - for standard input"),
    timestamp: z
      .union([
        z.string(),
        z.strictObject({
          field: z
            .string()
            .optional()
            .describe(
              "The JSON field or capture holding the time (default t, or the only capture)",
            ),
          format: z
            .string()
            .optional()
            .describe(
              "auto (RFC 3339 or epoch numbers, the default), a Go layout like 02/Jan/2006:15:04:05 -0700, or a name: clf, RFC3339, RFC3339Nano, RFC1123, RFC1123Z, RFC822, RFC822Z, RFC850, ANSIC, UnixDate, RubyDate, DateTime",
            ),
          pattern: z
            .string()
            .optional()
            .describe(
              "A LogQL pattern run on each line's text that captures the time, e.g. <_> [<time>] <_>",
            ),
          regexp: z
            .string()
            .optional()
            .describe("An RE2 regexp run on each line's text whose named group captures the time"),
        }),
      ])
      .optional()
      .describe(
        "The field holding the time (RFC 3339, or epoch seconds or milliseconds; default t), or where to find it and how it is written: { pattern or regexp, field, format }",
      ),
    labels: labels.optional().describe("Stream labels, matched by a LogQL stream selector"),
  })
  .describe("Log files: JSON lines (NDJSON), or text lines such as access logs");

export const prometheusSourceSchema = z
  .strictObject({ type: z.literal("prometheus"), ...httpSourceFields })
  .describe("A Prometheus-compatible HTTP API: Prometheus, Thanos, Mimir, Cortex, VictoriaMetrics");

export const lokiSourceSchema = z
  .strictObject({
    type: z.literal("loki"),
    ...httpSourceFields,
    tenant: z.string().optional().describe("Sent as X-Scope-OrgID"),
  })
  .describe("Grafana Loki's HTTP API");

export const sourceSchema = z.discriminatedUnion(
  "type",
  [logsSourceSchema, prometheusSourceSchema, lokiSourceSchema],
  { error: "expected a source with type logs, prometheus or loki" },
);

const thresholdOp = z.enum(["lt", "lte", "gt", "gte"]);

const ratioSchema = z
  .strictObject({
    source: z.string().describe("The name of a source of this file"),
    good: z.string().optional().describe("Query counting good events"),
    bad: z.string().optional().describe("Query counting bad events"),
    total: z.string().describe("Query counting all events"),
  })
  .describe("good/total or 1 - bad/total");

const latencySchema = z
  .strictObject({
    source: z.string().describe("The name of a source of this file"),
    events: z.string().optional().describe("logs/loki: LogQL query selecting the events"),
    field: z.string().optional().describe("logs: the field holding the latency"),
    unit: z.enum(["ns", "us", "ms", "s"]).optional().describe("Unit of the field (default ms)"),
    histogram: z
      .string()
      .optional()
      .describe(
        "prometheus: histogram selector without _bucket, e.g. http_duration_seconds{job='x'}",
      ),
    histogramType: z
      .enum(["native", "classic"])
      .optional()
      .describe(
        "prometheus: a native histogram (one series, any threshold) or a classic one (_bucket series, a threshold on a bucket bound); absent: asked of the server",
      ),
    op: thresholdOp
      .optional()
      .describe("logs/loki: how the field is compared with the threshold (default lte)"),
    threshold: z
      .union([z.string(), z.number()])
      .describe("An event is good at or below this: 300ms, 0.3s, or a number in `unit`"),
  })
  .describe("The share of events at or below a latency threshold");

const sampledSchema = z
  .strictObject({
    source: z.string().describe("The name of a prometheus source of this file"),
    query: z
      .string()
      .describe("PromQL giving one series: a gauge, a quantile, a ratio; sampled over time"),
    op: thresholdOp.optional().describe("A sample is good when `value op threshold`"),
    threshold: z.number().optional().describe("The number each sample is compared with"),
    ratio: z
      .enum(["good", "bad"])
      .optional()
      .describe("Instead of op and threshold: the value is the share of good (or bad) events"),
  })
  .describe("A value sampled over time, each sample judged: op and threshold, or ratio");

const indicatorSchema = z
  .strictObject({
    ratio: ratioSchema.optional(),
    latency: latencySchema.optional(),
    sampled: sampledSchema.optional(),
  })
  .describe("Exactly one of ratio, latency or sampled");

const calendarWindowSchema = z.strictObject({
  calendar: z
    .string()
    .regex(/^\s*(?:minute|hour|day|week|month|quarter|year|\d+[mhdwMQY])\s*$/, {
      error:
        "expected a calendar period: week, month, quarter, year, day, hour, or a count and a unit of m h d w M Q Y like 2w, 1d, 3M",
    })
    .describe(
      "The period: week, month, quarter, year, day, hour, or a count and one of OpenSLO's units m h d w M Q Y (2w, 1d, 3M)",
    ),
  start: z
    .string()
    .optional()
    .describe(
      "Where the periods are counted from: a local date and time in the time zone, like 2024-01-06 12:00; needed for 2w, 3M... (default: the unit's own start, Monday midnight, the 1st)",
    ),
  timezone: z.string().optional().describe("IANA time zone (default UTC)"),
});

const windowSchema = z
  .union([durationSyntax.describe(DURATION_DESCRIPTION), calendarWindowSchema], {
    error:
      'expected a rolling duration like 30d, or a calendar window like { calendar: month, timezone: Europe/Berlin } or { calendar: 2w, start: "2024-01-06 12:00", timezone: America/New_York }',
  })
  .describe(
    "Rolling (30d, 4w) or calendar ({ calendar: month, timezone: Pacific/Auckland }, { calendar: 2w, start: 2024-01-06 12:00 })",
  );

const severityPolicySchema = z.strictObject({
  disable: z.boolean().optional(),
  labels: labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const burnRateWindowSchema = z.strictObject({
  severity: z.enum(["page", "ticket"]),
  long: durationText,
  short: durationText,
  share: fraction
    .optional()
    .describe("Budget share that may be spent in the long window, e.g. 2% (or burnRate)"),
  burnRate: z
    .number()
    .positive()
    .optional()
    .describe("The burn rate both windows are compared with, e.g. 14.4, instead of share"),
  op: z
    .enum(["gt", "gte", "lt", "lte"])
    .optional()
    .describe(
      "How both windows' burn rates compare with it: gt (default) fires above, gte at or above, lt below, lte at or below",
    ),
  alertAfter: durationText
    .optional()
    .describe("How long the condition must hold before the alert fires (a rule's for:); default 0"),
  severityLabel: z
    .string()
    .min(1)
    .optional()
    .describe(
      "The alert's severity label as your routes know it (sev1), where the severity's labels set none; default page or ticket",
    ),
  alertWhenResolved: z
    .boolean()
    .optional()
    .describe(
      "OpenSLO's alertWhenResolved, kept for slo convert (default true); slo alerts still tells its own targets of a resolve",
    ),
});

const alertingSchema = z
  .strictObject({
    minEvents: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        `Events the long window needs before an alert may fire (default ${DEFAULT_MIN_EVENTS})`,
      ),
    windows: z.array(burnRateWindowSchema).min(1).optional(),
    page: severityPolicySchema.optional(),
    ticket: severityPolicySchema.optional(),
  })
  .describe("Multi-window multi-burn-rate alerts");

const gateSchema = z
  .union([
    z.literal(false),
    z.strictObject({
      minRemaining: fraction
        .optional()
        .describe(
          `Breaching below this remaining budget (default ${percent(DEFAULT_GATE.minRemaining)})`,
        ),
      warnRemaining: fraction
        .optional()
        .describe(
          `Warning below this remaining budget (default ${percent(DEFAULT_GATE.warnRemaining)})`,
        ),
      // Read in normalize: an enum inside this union would say only "Invalid input";
      // editors still see the two values.
      per: z
        .string()
        .meta({ enum: ["group", "whole"] })
        .optional()
        .describe(
          "With groupBy: gate each group (group, the default) or the definition as a whole (whole)",
        ),
    }),
  ])
  .describe("false: reported, never fails the run");

export const notifySchema = z.array(
  z.strictObject({
    type: z
      .enum(["alertmanager", "webhook", "github-issue", "route"])
      .describe(
        "route: a target slo does not deliver to, named in the alerts' labels for Alertmanager; kept for slo convert",
      ),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected letters, digits, '-', '_' or '.'")
      .optional()
      .describe("Shown instead of the URL in output and errors; a route's OpenSLO name"),
    url: z.string().optional(),
    severities: z.array(z.enum(["page", "ticket"])).optional(),
    target: z
      .string()
      .optional()
      .describe("route only: what the target is, as OpenSLO's spec.target (pagerduty, email)"),
    displayName: z.string().optional().describe("route only: a name for people"),
    description: z.string().optional().describe("route only"),
  }),
);

const correctionSchema = z
  .strictObject({
    start: z
      .string()
      .describe(
        "The first period's start: a local date and time read in timezone (2026-05-10 02:00), or an instant with its offset (2026-05-10T02:00:00Z)",
      ),
    end: z.string().optional().describe("The first period's end, written as start is; or duration"),
    duration: durationText.optional().describe("Each period's length (2h); or end"),
    rrule: z
      .string()
      .optional()
      .describe(
        `An RFC 5545 recurrence rule, with or without RRULE: (FREQ=WEEKLY;BYDAY=SU;BYHOUR=2); its local times are read in timezone; at most ${MAX_CORRECTION_PERIODS_PER_WINDOW.toLocaleString("en-US")} periods inside the SLO's window`,
      ),
    timezone: z
      .string()
      .optional()
      .describe("IANA time zone of start, end and the rule (default UTC)"),
    reason: z.string().optional().describe("Why these events do not count, shown in reports"),
    category: z
      .enum(["maintenance", "outside-business-hours", "deployment", "other"])
      .optional()
      .describe(`What kind of correction (default ${DEFAULT_CORRECTION_CATEGORY})`),
  })
  .describe(
    "A period (or a recurring one) whose events do not count: left out of the SLI, the budget, the burn rates and the alerts",
  );

const correctionsSchema = z.array(correctionSchema);

export const sloSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "expected letters, digits, '-', '_' or '.'")
    .describe("Unique within the service"),
  displayName: z.string().optional().describe("A name for people; OpenSLO's metadata.displayName"),
  description: z.string().optional(),
  labels: labels.optional(),
  objective: fraction,
  annotations: z
    .record(z.string(), z.string())
    .optional()
    .describe("Yours, kept for slo convert as OpenSLO's metadata.annotations; slo reads none"),
  objectiveDisplayName: z
    .string()
    .optional()
    .describe("OpenSLO's objectives[].displayName, kept for slo convert"),
  window: windowSchema,
  budgetingMethod: z.enum(["occurrences", "timeslices", "ratioTimeslices"]).optional(),
  timesliceWindow: durationText
    .optional()
    .describe(
      `Slice length for timeslice budgeting (default ${formatDuration(DEFAULT_TIMESLICE_MS)})`,
    ),
  timesliceTarget: fraction.optional().describe("The ratio a slice must meet to be good"),
  indicator: indicatorSchema,
  alerting: alertingSchema.optional(),
  gate: gateSchema.optional(),
  notify: notifySchema.optional(),
  breakdownBy: z
    .string()
    .optional()
    .describe("Field (logs) or label (prometheus) to group bad events by"),
  groupBy: z
    .union([z.string(), z.array(z.string())], {
      error:
        "expected a label or field name, or a list of them: groupBy: action, or groupBy: [action, region]",
    })
    .optional()
    .describe(
      "One SLO per value of these labels (prometheus, loki) or fields (logs), each with its own SLI, budget, alerts and gate verdict",
    ),
  groupLimit: z
    .number({ error: `expected a whole number of groups, 1 to ${MAX_GROUP_LIMIT}` })
    .int({ error: `expected a whole number of groups, 1 to ${MAX_GROUP_LIMIT}` })
    .optional()
    .describe(
      `With groupBy: the most groups (default ${DEFAULT_GROUP_LIMIT}, at most ${MAX_GROUP_LIMIT}); the largest by events are kept, the rest are one "(other)" group`,
    ),
  corrections: correctionsSchema
    .optional()
    .describe("Periods whose events do not count for this SLO, after the file's own"),
  runbook: z.string().optional(),
});

const healthSchema = z.array(
  z.strictObject({
    name: z.string(),
    url: z.string(),
    onFailure: z.enum(["fail", "warn"]).optional(),
  }),
);

const deploysSchema = z
  .strictObject({
    source: z.string().describe("The name of a source of this file: logs, loki or prometheus"),
    query: z
      .string()
      .optional()
      .describe(
        'logs/loki: a LogQL log query whose matching lines are deploys, e.g. {app="ctrl"} | json | msg = "deploy-finished"',
      ),
    version: z
      .string()
      .optional()
      .describe(
        "logs/loki: the field (after the query's parsers) or stream label holding the version",
      ),
    series: z
      .string()
      .optional()
      .describe(
        'prometheus: a series selector whose version label changes at a deploy, e.g. build_info{job="ctrl"}',
      ),
    versionLabel: z
      .string()
      .optional()
      .describe("prometheus: the label whose new value marks a deploy"),
  })
  .describe(
    "Where the service's deploys show up: lines of a logs or loki source (query, version), or a prometheus series' label (series, versionLabel)",
  );

export const sloFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    service: z.string().min(1).describe("The service these SLOs belong to"),
    displayName: z
      .string()
      .optional()
      .describe("A name for people; OpenSLO's Service metadata.displayName"),
    description: z.string().optional().describe("OpenSLO's Service spec.description"),
    labels: labels.optional(),
    sources: z.record(z.string(), sourceSchema).optional(),
    slos: z.array(sloSchema).min(1),
    notify: notifySchema.optional().describe("Where alerts go, for every SLO of the file"),
    health: healthSchema.optional().describe("Dependency health endpoints checked by the gate"),
    deploys: deploysSchema.optional(),
    corrections: correctionsSchema
      .optional()
      .describe("Periods whose events do not count, for every SLO of the file"),
  })
  .describe("An slo file: a service and its service level objectives");

export type SloFileInput = z.input<typeof sloFileSchema>;
export type SloFile = z.output<typeof sloFileSchema>;

/** Every object key the schema knows, for "did you mean" on unknown keys. */
export function knownKeys(
  schema: z.ZodType = sloFileSchema,
  into = new Set<string>(),
): Set<string> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const visit = (s: unknown) => {
    if (s && typeof s === "object" && "_zod" in s) knownKeys(s as z.ZodType, into);
  };
  if (def.type === "object") {
    for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
      if (!into.has(key)) {
        into.add(key);
        visit(child);
      }
    }
  }
  for (const k of ["innerType", "element", "valueType", "in", "out", "schema"]) visit(def[k]);
  for (const k of ["options"]) {
    const opts = def[k];
    if (Array.isArray(opts)) opts.forEach(visit);
  }
  return into;
}
