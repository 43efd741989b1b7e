/**
 * Every default slo applies when a file, a flag or an input says nothing.
 * Written once here; the schemas' descriptions, the writers (which leave a
 * default out) and action.yml are checked against these values.
 */

import { posix, win32 } from "node:path";
import type { BurnRateWindow } from "./definition/model.js";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** What `slo check` and the Action read when given no path. */
export const DEFAULT_PATHS = ["slos/"];

/** The gate of an SLO that says nothing: fail when the budget is gone, warn below a quarter. */
export const DEFAULT_GATE = { minRemaining: 0, warnRemaining: 0.25 } as const;

/** Events the long window needs before a burn-rate alert fires: a quiet night does not page. */
export const DEFAULT_MIN_EVENTS = 10;

/** A timeslice's length with timeslice budgeting. */
export const DEFAULT_TIMESLICE_MS = 5 * MINUTE_MS;

/** `groupBy`: the groups one SLO definition is evaluated as, the largest by traffic; the rest are one "(other)" group. */
export const DEFAULT_GROUP_LIMIT = 100;

/** The field bad log events are grouped by in the report's breakdown. */
export const DEFAULT_LOG_BREAKDOWN_FIELD = "msg";

/**
 * `slo verify`: a deploy regressed when the after window's error ratio is
 * higher than the baseline's beyond chance at `confidence` (an exact test),
 * burns the budget at least `minBurn` times and is at least `minIncrease`
 * times the baseline's. The baseline is the same length just before the
 * deploy; `--wait` looks again every `intervalMs`.
 */
export const DEFAULT_VERIFY = {
  confidence: 0.99,
  minBurn: 2,
  minIncrease: 1.5,
  baseline: "before",
  intervalMs: MINUTE_MS,
  failOn: "regressed",
} as const;

/**
 * The trend against the previous window is shown only when data covers at
 * least this fraction of it (from its first to its last event): an SLI "then"
 * from the window's last few hours is no trend.
 */
export const DEFAULT_TREND_MIN_COVERAGE = 0.9;

/** A deploy in a report: its error ratio over this long before and after it. */
export const DEFAULT_DEPLOY_COMPARE_MS = HOUR_MS;

/** A metric or log server: per-request timeout and retries after it. */
export const DEFAULT_SOURCE = { timeoutMs: 30_000, retries: 2 } as const;

/** `slo check` and the Action: a breach fails the gate; an unreadable source is exit 3. */
export const DEFAULT_FAIL_ON = "breach";
export const DEFAULT_ON_SOURCE_ERROR = "error";

/** `slo alerts`: per request to a target, retries after a failure, and how long Alertmanager keeps an alert no later run refreshes. */
export const DEFAULT_ALERT_DELIVERY = {
  timeout: "10s",
  retries: 2,
  alertmanagerTtl: "1h",
} as const;

/** A dependency health endpoint: it should answer fast, and is tried twice. */
export const DEFAULT_HEALTH = { timeoutMs: 10_000, retries: 1 } as const;

/**
 * The GitHub API: per-request timeout, retries after a 5xx or a network
 * error, and the deadline for all the GitHub calls of a run's reporting.
 */
export const DEFAULT_GITHUB_API = { timeoutMs: 30_000, retries: 3, deadlineMs: 60_000 } as const;

/** The GitHub reporting settings of `slo check --github` and the Action's inputs. */
export const DEFAULT_GITHUB = {
  checkName: "slo",
  commentId: "default",
  overrideLabel: "slo-override",
} as const;

/**
 * The multi-window multi-burn-rate policy: the SRE workbook's three tiers
 * plus Sloth's fourth. Data, not code: an SLO may replace the table.
 */
export const DEFAULT_BURN_RATE_WINDOWS: BurnRateWindow[] = [
  {
    severity: "page",
    long: "1h",
    short: "5m",
    longMs: HOUR_MS,
    shortMs: 5 * MINUTE_MS,
    share: 0.02,
  },
  {
    severity: "page",
    long: "6h",
    short: "30m",
    longMs: 6 * HOUR_MS,
    shortMs: 30 * MINUTE_MS,
    share: 0.05,
  },
  { severity: "ticket", long: "1d", short: "2h", longMs: DAY_MS, shortMs: 2 * HOUR_MS, share: 0.1 },
  {
    severity: "ticket",
    long: "3d",
    short: "6h",
    longMs: 3 * DAY_MS,
    shortMs: 6 * HOUR_MS,
    share: 0.1,
  },
];

/** The field of a log line that holds its time. */
export const DEFAULT_LOG_TIMESTAMP_FIELD = "t";

/** How an SLO counts its budget when it says nothing: good events over all events. */
export const DEFAULT_BUDGETING_METHOD = "occurrences" as const;

/** The time zone of a calendar window, or of a correction's start and recurrence, that names none. */
export const DEFAULT_TIME_ZONE = "UTC";

/** Why a correction's events do not count, when it does not say. */
export const DEFAULT_CORRECTION_CATEGORY = "other" as const;

/** A latency's unit when the SLO names none: histograms follow Prometheus (seconds), log fields are milliseconds. */
export const DEFAULT_LATENCY_UNIT = { histogram: "s", logs: "ms" } as const;

/** A sampled value (a thresholdMetric on a plain query) under occurrences budgeting: one sample, one event, this often. */
export const DEFAULT_SAMPLE_STEP_MS = MINUTE_MS;

/** A notification target that names no severity gets both. */
export const DEFAULT_NOTIFY_SEVERITIES = ["page", "ticket"] as const;

/** A failing dependency health check fails the gate unless it says warn. */
export const DEFAULT_HEALTH_ON_FAILURE = "fail";

/**
 * An OpenSLO AlertCondition's severity is free text; slo pages or tickets.
 * The severities people write, and which of the two each is. A name is
 * matched ignoring case, spaces, `-` and `_` (`SEV-1`, `Sev 1`, `sev_1` are
 * sev1). Any other is refused unless the condition (or its policy) says
 * with the annotation `slo/severity: page` or `ticket`, which also wins
 * over this table. The text as written stays the alert's `severity` label.
 */
export const DEFAULT_SEVERITY_OF: Readonly<Record<string, "page" | "ticket">> = {
  page: "page",
  critical: "page",
  crit: "page",
  emergency: "page",
  fatal: "page",
  urgent: "page",
  high: "page",
  sev0: "page",
  sev1: "page",
  sev2: "page",
  p0: "page",
  p1: "page",
  p2: "page",
  ticket: "ticket",
  warning: "ticket",
  warn: "ticket",
  medium: "ticket",
  low: "ticket",
  minor: "ticket",
  info: "ticket",
  informational: "ticket",
  notice: "ticket",
  sev3: "ticket",
  sev4: "ticket",
  sev5: "ticket",
  p3: "ticket",
  p4: "ticket",
  p5: "ticket",
};

/** A severity as DEFAULT_SEVERITY_OF names it: lower case, without spaces, `-` and `_`. */
export function severityKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, "");
}

/**
 * An OpenSLO burn-rate condition names one window, the long one; the short
 * window that confirms the burn is this fraction of it, as in the SRE
 * workbook's table (1h/5m, 6h/30m, 1d/2h, 3d/6h).
 */
export const DEFAULT_SHORT_WINDOW_DIVISOR = 12;

/**
 * `slo rules`: the year whose January and July offsets say whether a time
 * zone has DST (then its rules read the calendar at the lower, standard
 * offset) or a fixed offset (then they follow its calendar exactly).
 */
export const RULES_TIME_ZONE_REFERENCE_YEAR = 2026;

/**
 * Where the log tally cache lives when `--cache` does not say: a folder
 * `slo` under the user's cache folder ($XDG_CACHE_HOME or ~/.cache on
 * Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
 */
export function defaultCacheDir(
  env: Record<string, string | undefined>,
  platform: string,
  home: string,
): string {
  if (platform === "win32")
    return win32.join(env.LOCALAPPDATA ?? win32.join(home, "AppData", "Local"), "slo");
  if (platform === "darwin") return posix.join(home, "Library", "Caches", "slo");
  const xdg = env.XDG_CACHE_HOME;
  // the XDG spec: a relative value is invalid and ignored
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, ".cache"), "slo");
}
