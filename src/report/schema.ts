/**
 * The JSON report: the contract every output is rendered from. The zod schema
 * is the source of truth for the types and for schemas/report.schema.json.
 */

import { z } from "zod";
import { DEFAULT_TREND_MIN_COVERAGE } from "../defaults.js";
import { MAX_CORRECTION_PERIODS_REPORTED, MAX_REPORTED_VALUE_CHARS } from "../limits.js";

const isoTime = z.string().describe("RFC 3339 time, UTC");

export const reportAlertSchema = z.object({
  severity: z.enum(["page", "ticket"]),
  long: z.string(),
  short: z.string(),
  factor: z.number(),
  burnRateLong: z.number().nullable(),
  burnRateShort: z.number().nullable(),
  firing: z.boolean(),
  pending: z
    .boolean()
    .optional()
    .describe(
      "true when the condition holds but has not held for the rule's alertAfter yet: not firing",
    ),
});

export const reportWindowSchema = z.union([
  z.object({
    kind: z.literal("rolling"),
    duration: z.string(),
    start: isoTime,
    end: isoTime,
  }),
  z.object({
    kind: z.literal("calendar"),
    calendar: z
      .string()
      .describe(
        "the calendar period: week, month, quarter, year, day, hour, or a count of them: 2 weeks",
      ),
    timeZone: z.string(),
    start: isoTime,
    end: isoTime,
  }),
]);

export const reportPreviousSchema = z
  .object({
    start: isoTime,
    end: isoTime,
    events: z.object({ good: z.number(), bad: z.number(), total: z.number() }),
    sli: z.number().nullable().describe("null when that window had no events"),
    errorBudget: z.object({ consumed: z.number(), remaining: z.number() }),
    coverage: z
      .number()
      .describe(
        `Fraction of the window that has data: from its first to its last event, in buckets of 1% of the window. The trend is shown from ${DEFAULT_TREND_MIN_COVERAGE} up`,
      ),
  })
  .describe("The window before this one (the previous 30 days, or last month), for the trend");

export const reportAlertEpisodeSchema = z.object({
  severity: z.enum(["page", "ticket"]),
  start: isoTime.describe("The first instant the alert fired"),
  end: isoTime.nullable().describe("The first instant it no longer fired; null: still firing"),
  windows: z.array(z.string()).describe("The rules that fired, long/short: 1h/5m"),
  peakBurnRate: z.number(),
  firings: z
    .number()
    .optional()
    .describe(
      "How many times the alert started firing in this episode: firings less than the severity's longest short window apart are one episode. Absent: once",
    ),
});

export const reportAlertHistorySchema = z
  .object({
    since: isoTime.describe("History starts here (the window's start, or as far as it reaches)"),
    step: z.string().describe("Resolution: the alert windows' common step, e.g. 5m"),
    episodes: z.array(reportAlertEpisodeSchema),
  })
  .describe("The burn-rate alerts that fired over the window (slo report)");

export const reportBurnRateHistorySchema = z
  .object({
    since: isoTime.describe(
      "The first instant drawn: the window's start, or as far as the alert history reaches",
    ),
    step: z
      .string()
      .describe(
        "What each point covers: it holds the highest burn rate of the step ending at its t",
      ),
    windows: z.array(
      z.object({
        window: z.string().describe("A long alert window: 1h"),
        thresholds: z
          .array(z.object({ severity: z.enum(["page", "ticket"]), factor: z.number() }))
          .describe("The factor of each enabled alert over this long window"),
        points: z
          .array(z.object({ t: isoTime, burnRate: z.number().nullable() }))
          .describe("Oldest first; null: no events in the step's windows"),
      }),
    ),
  })
  .describe("Each long alert window's burn rate through the window, for charts (slo report)");

const breakdownCount = {
  count: z
    .number()
    .describe("Bad events; with maxOvercount, at most that much over the true count"),
  maxOvercount: z
    .number()
    .optional()
    .describe(
      "Present when the count may be over the truth: the true count is between count - maxOvercount and count (more distinct values than slo counts at once)",
    ),
};

export const breakdownValueSchema = z.object({
  value: z.string().describe("A value of the breakdown field"),
  truncated: z
    .boolean()
    .optional()
    .describe(
      `true: the value was longer; cut to ${MAX_REPORTED_VALUE_CHARS} characters, the last one …`,
    ),
  ...breakdownCount,
});

export const breakdownBucketSchema = z.object({
  bucket: z.enum(["none"]).describe("slo's own bucket, never a value: none = without the field"),
  ...breakdownCount,
});

const eventsSchema = z.object({ good: z.number(), bad: z.number(), total: z.number() });

export const reportDeployRefSchema = z.object({
  at: isoTime.describe("When the deploy finished"),
  version: z.string(),
  sha: z.string().optional().describe("GitHub: the deployed commit"),
  pullRequest: z
    .object({ number: z.number(), url: z.string() })
    .optional()
    .describe("GitHub: the pull request that shipped it"),
  origin: z
    .enum(["source", "github", "command-line"])
    .describe("Where slo learnt of it: the file's deploys:, GitHub's deployments, or --deploy"),
});

const comparedWindowSchema = z.object({
  start: isoTime,
  end: isoTime,
  events: eventsSchema,
  errorRatio: z.number().nullable().describe("null when the window had no events"),
  burnRate: z.number().nullable(),
});

export const reportDeploySchema = reportDeployRefSchema
  .extend({
    until: isoTime.describe("The next deploy, or the end of the window"),
    budgetSpent: z
      .number()
      .describe(
        "Fraction of the window's error budget spent from this deploy until the next: the deploys' shares and budgetSpentBeforeDeploys add up to errorBudget.consumed",
      ),
    before: comparedWindowSchema.describe("The hour (or so) before the deploy"),
    after: comparedWindowSchema.describe("The same length after it (shorter when it is recent)"),
  })
  .describe("A deploy inside the SLO's window");

export const reportComparisonSchema = z.object({
  baseline: z
    .enum(["before", "week"])
    .describe("before: just before the deploy; week: the same hours a week earlier"),
  baselineWindow: comparedWindowSchema,
  afterWindow: comparedWindowSchema,
  pValue: z
    .number()
    .nullable()
    .describe("One-sided exact test (Fisher) that the after ratio is higher; null without events"),
  verdict: z.enum(["pass", "regressed", "inconclusive"]),
  reason: z.string(),
  eventsNeeded: z
    .number()
    .nullable()
    .describe("inconclusive for want of traffic: how many more events the after window needs"),
});

export const reportVerificationSchema = z
  .object({
    deploy: reportDeployRefSchema,
    verdict: z.enum(["pass", "regressed", "inconclusive"]).describe("The worse of the comparisons"),
    reason: z.string(),
    comparisons: z.array(reportComparisonSchema),
  })
  .describe("slo verify: did this deploy make this SLO worse?");

export const reportGroupSchema = z
  .object({
    definition: z.string().describe("The SLO's name as its file defines it, without the group"),
    by: z.array(z.string()).describe("The labels or fields the SLO is grouped by (groupBy)"),
    kind: z
      .enum(["value", "other", "whole"])
      .describe(
        "value: one value of the labels; other: the values past groupLimit, merged; whole: the definition as a whole (gate per whole)",
      ),
    labels: z
      .record(z.string(), z.string())
      .describe("The group's value of each label; empty for other and whole"),
    mergedValues: z.number().optional().describe("other: how many values were merged into it"),
  })
  .describe("A grouped SLO (groupBy): which group of which definition this entry is");

export const reportCorrectionSchema = z
  .object({
    reason: z.string().optional(),
    category: z.enum(["maintenance", "outside-business-hours", "deployment", "other"]),
    rrule: z.string().optional().describe("The recurrence rule as written, if it recurs"),
    timeZone: z.string(),
    occurrences: z
      .array(z.object({ start: isoTime, end: isoTime }))
      .describe(
        `The periods that touched the window, oldest first (the newest ${MAX_CORRECTION_PERIODS_REPORTED} at most)`,
      ),
    occurrencesLeftOut: z
      .number()
      .optional()
      .describe("How many older periods that touched the window are not listed"),
    excluded: eventsSchema.describe("The events these periods left out of the window's counts"),
  })
  .describe("A correction (budget adjustment) that touched the window");

export const reportSloSchema = z.object({
  service: z.string(),
  name: z.string(),
  description: z.string().optional(),
  runbook: z
    .string()
    .optional()
    .describe("The SLO's runbook, as its file gives it (a link when http(s))"),
  objective: z.number().describe("A fraction: 0.999"),
  budgetingMethod: z.enum(["occurrences", "timeslices", "ratioTimeslices"]),
  window: reportWindowSchema,
  events: z.object({ good: z.number(), bad: z.number(), total: z.number() }),
  sli: z.number().nullable().describe("null when the window has no events"),
  errorBudget: z.object({
    consumed: z.number().describe("Fraction of the budget spent, not capped: 1.4 is 140%"),
    remaining: z.number(),
  }),
  burnRates: z.record(z.string(), z.number().nullable()),
  alerts: z.array(reportAlertSchema),
  exhaustion: z
    .object({ "1h": isoTime.nullable(), "1d": isoTime.nullable() })
    .nullable()
    .describe("When the budget runs out at the current 1h and 1d burn rates"),
  status: z.enum(["ok", "warning", "breaching", "no-data", "error"]),
  breakdown: z
    .array(z.union([breakdownValueSchema, breakdownBucketSchema]))
    .describe("What spent the budget: bad events per value of the breakdown field, most first"),
  error: z.object({ message: z.string(), source: z.string() }).nullable(),
  breakdownBy: z
    .string()
    .optional()
    .describe("The field or label `breakdown` counts bad events by, when the SLO names one"),
  gated: z.boolean().describe("false: reported, never fails the run"),
  warnRemaining: z
    .number()
    .optional()
    .describe(
      "Gated SLOs: the gate warns below this budget remaining (a fraction); charts draw it",
    ),
  labels: z.record(z.string(), z.string()),
  group: reportGroupSchema.optional(),
  corrections: z
    .array(reportCorrectionSchema)
    .optional()
    .describe("The corrections that touched the window; their events are not counted"),
  correctionsExcluded: eventsSchema
    .optional()
    .describe(
      "With corrections: the events they left out of the window together, each once (corrections may overlap, so this can be less than the sum of theirs)",
    ),
  definedAt: z.object({ file: z.string(), line: z.number(), col: z.number() }),
  burnDown: z
    .array(z.object({ t: isoTime, remaining: z.number() }))
    .describe("Budget remaining through the window, for charts"),
  timeslices: z.object({ good: z.number(), total: z.number() }).optional(),
  previous: reportPreviousSchema.optional(),
  alertHistory: reportAlertHistorySchema.optional(),
  burnRateHistory: reportBurnRateHistorySchema.optional(),
  deploys: z
    .array(reportDeploySchema)
    .optional()
    .describe("Deploys inside the window, oldest first"),
  budgetSpentBeforeDeploys: z
    .number()
    .optional()
    .describe("With deploys: the budget fraction spent in the window before the first of them"),
  verification: reportVerificationSchema.optional(),
  diagnostics: z
    .object({
      lines: z.number().optional(),
      malformed: z.number().optional(),
      tooLong: z.number().optional().describe("Lines over the line limit, skipped unread"),
      noTimestamp: z.number().optional(),
      damaged: z
        .number()
        .optional()
        .describe(
          "Inputs that broke part-way (a damaged .gz): the counts are partial, the notes say where",
        ),
      missingField: z.number().optional(),
      queries: z.number().optional(),
      notes: z.array(z.string()),
    })
    .describe("What the source skipped or noticed"),
});

export const healthSchema = z.object({
  service: z.string(),
  name: z.string(),
  url: z.string(),
  ok: z.boolean(),
  onFailure: z.enum(["fail", "warn"]),
  dependencies: z.array(
    z.object({ name: z.string(), status: z.string(), statusTime: z.string().nullable() }),
  ),
  error: z.string().nullable(),
});

export const reportSchema = z.object({
  version: z.literal(1),
  evaluatedAt: isoTime,
  result: z.enum(["pass", "warn", "fail", "unknown"]),
  slos: z.array(reportSloSchema),
  health: z.array(healthSchema).optional(),
  verification: z
    .object({
      deploy: reportDeployRefSchema,
      result: z.enum(["pass", "regressed", "inconclusive"]),
      baseline: z.enum(["before", "week", "both"]),
      confidence: z.number(),
      minBurn: z.number(),
      minIncrease: z.number(),
    })
    .optional()
    .describe("slo verify: the deploy judged and the run's verdict (the worst of its SLOs')"),
});

export type SloReport = z.infer<typeof reportSchema>;
export type SloReportEntry = z.infer<typeof reportSloSchema>;
export type ReportAlert = z.infer<typeof reportAlertSchema>;
export type ReportDeploy = z.infer<typeof reportDeploySchema>;
export type ReportDeployRef = z.infer<typeof reportDeployRefSchema>;
export type ReportVerification = z.infer<typeof reportVerificationSchema>;
export type ReportComparison = z.infer<typeof reportComparisonSchema>;
export type HealthReport = z.infer<typeof healthSchema>;
export type ReportPrevious = z.infer<typeof reportPreviousSchema>;
export type ReportAlertHistory = z.infer<typeof reportAlertHistorySchema>;
export type ReportBurnRateHistory = z.infer<typeof reportBurnRateHistorySchema>;
export type ReportGroup = z.infer<typeof reportGroupSchema>;
export type ReportCorrection = z.infer<typeof reportCorrectionSchema>;
export type ReportAlertEpisode = z.infer<typeof reportAlertEpisodeSchema>;
