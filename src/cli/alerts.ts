/**
 * `slo alerts`: evaluate the burn-rate alerts at one instant and tell the
 * targets what started firing, changed severity or resolved. Meant to run on
 * a schedule (every five minutes); a rerun with nothing new sends nothing
 * new, and a failed delivery is retried by the next run, not repeated.
 */

import type { Command } from "commander";
import { createNotifiers } from "../alerts/create-notifiers.js";
import type { IssueApi } from "../alerts/issue-api.js";
import {
  alertKey,
  notifyTargets,
  type TargetChange,
  type TargetOutcome,
} from "../alerts/notify-targets.js";
import { AlertStateStore, removeLeftoverTemps, stateFilePath } from "../alerts/state-file.js";
import {
  lockStateFile,
  releaseOnSignals,
  type StateLock,
  type StateLockOptions,
} from "../alerts/state-lock.js";
import { type AlertSubject, alertSubjects, type Severity } from "../alerts/subjects.js";
import { declaredTypes, planTargets } from "../alerts/targets.js";
import { burnSentence, SEVERITY_WORD } from "../alerts/wording.js";
import { DEFAULT_ALERT_DELIVERY } from "../defaults.js";
import type { NotifyTarget, SloSet } from "../definition/model.js";
import { EXIT, usageError } from "../errors.js";
import { runUrlOf } from "../github/context.js";
import { oneOf, parseAt, parseDurationOption } from "../parse-option.js";
import { evaluateSet } from "../pipeline/evaluate-set.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { escapeTerminal } from "../report/escape.js";
import type { LogCacheOptions } from "../sources/logs/cache/cached-read.js";
import { cacheOption, logCacheOf, noCacheOption, pathsArgument, printWarning } from "./common.js";
import type { CliIo } from "./io.js";

export interface AlertsOptions {
  /** --cache DIR (text), --no-cache (false) */
  cache?: string | boolean;
  at?: string;
  alertmanager?: string[];
  webhook?: string[];
  githubIssues?: string | boolean;
  state?: string;
  dryRun?: boolean;
  format: string;
  alertmanagerTtl: string;
  timeout: string;
  retries: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAlerts(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("alerts")
    .description(
      "evaluate the burn-rate alerts and notify Alertmanager, a webhook or GitHub issues of what changed",
    )
    .addArgument(pathsArgument())
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .addOption(cacheOption())
    .addOption(noCacheOption())
    .option(
      "--alertmanager <url>",
      "send to this Alertmanager instead of the files' (repeatable; page=URL or ticket=URL for one severity)",
      collect,
    )
    .option(
      "--webhook <url>",
      "send to this Slack-compatible webhook instead of the files' (repeatable; page=URL or ticket=URL)",
      collect,
    )
    .option(
      "--github-issues [severities]",
      "keep a GitHub issue per firing alert (page, ticket or page,ticket; default both)",
    )
    .option("--state <file>", "remember what the webhooks were told (needed with a webhook)")
    .option("--dry-run", "show what would be sent; send nothing, write no state")
    .option("--format <format>", "text or json", "text")
    .option(
      "--alertmanager-ttl <duration>",
      "how long Alertmanager keeps a firing alert that no later run refreshes",
      DEFAULT_ALERT_DELIVERY.alertmanagerTtl,
    )
    .option("--timeout <duration>", "per request to a target", DEFAULT_ALERT_DELIVERY.timeout)
    .option(
      "--retries <n>",
      "retries after a failed request (5xx, timeouts)",
      String(DEFAULT_ALERT_DELIVERY.retries),
    )
    .action(async (paths: string[], options: AlertsOptions) => {
      setExit(await runAlerts(paths, options, io));
    });
}

/** What a test may replace: the lock's clock and wait. */
export interface AlertsDeps {
  lock?: StateLockOptions;
}

export async function runAlerts(
  paths: string[],
  options: AlertsOptions,
  io: CliIo,
  deps: AlertsDeps = {},
): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "json"] as const);
  const atMs = parseAt(options.at, "--at");
  const overrides = targetFlags(options);
  const ttlMs = parseDurationOption(options.alertmanagerTtl, "--alertmanager-ttl");
  const timeoutMs = parseDurationOption(options.timeout, "--timeout");
  const retries = Number(options.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw usageError(`--retries ${options.retries}: expected a whole number from 0 to 10`);
  }
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
  const slos = set.services.flatMap((s) => s.slos);
  const types = declaredTypes(slos, overrides);
  if (types.has("webhook") && !options.state && !options.dryRun) {
    throw usageError(
      "a webhook target needs --state FILE",
      "a webhook cannot be asked what it was told: the state file remembers, so a rerun does not repeat a message",
    );
  }
  // Before any source is read: a missing token is a usage error, not a late failure.
  const issueApi = types.has("github-issue")
    ? (await import("./github-issues.js")).issueApiFromEnv(io, "the github-issue target")
    : undefined;
  // The whole run holds the state's lock: from reading what was sent to recording the last delivery.
  const statePath = options.state ? await stateFilePath(options.state) : undefined;
  const lock = statePath && !options.dryRun ? await lockStateFile(statePath, deps.lock) : undefined;
  const unregister = lock ? releaseOnSignals(lock) : undefined;
  try {
    const store = await openStore(statePath, lock);
    return await evaluateAndNotify(set, store, io, {
      format,
      atMs,
      overrides,
      ttlMs,
      timeoutMs,
      retries,
      issueApi,
      dryRun: options.dryRun === true,
      cache: logCacheOf(options.cache, io),
    });
  } finally {
    unregister?.();
    await lock?.release();
  }
}

/** The state as the last run left it; with the lock, also proven writable before anything is sent. */
async function openStore(
  path: string | undefined,
  lock: StateLock | undefined,
): Promise<AlertStateStore> {
  if (path && lock) await removeLeftoverTemps(path);
  const store = await AlertStateStore.open(path);
  if (lock) await store.checkWritable();
  return store;
}

/** The flags of one run, read and checked. */
interface AlertRun {
  format: "text" | "json";
  atMs: number;
  overrides: NotifyTarget[];
  ttlMs: number;
  timeoutMs: number;
  retries: number;
  issueApi: IssueApi | undefined;
  dryRun: boolean;
  cache: LogCacheOptions | undefined;
}

async function evaluateAndNotify(
  set: SloSet,
  store: AlertStateStore,
  io: CliIo,
  run: AlertRun,
): Promise<number> {
  const { atMs, overrides, format, ttlMs, timeoutMs, retries, issueApi } = run;
  const report = await evaluateSet(set, {
    atMs,
    sourceOptions: { stdin: io.stdin, cache: run.cache },
  });
  const subjects = alertSubjects(set, report);
  const plans = planTargets(subjects, overrides);
  const notifiers = createNotifiers(plans, {
    store,
    issueApi: () => {
      if (!issueApi) throw usageError("internal: no GitHub client for the github-issue target");
      return issueApi;
    },
    timeoutMs,
    retries,
    alertmanagerTtlMs: ttlMs,
    generatorUrl: runUrlOf(io.env) ?? undefined,
  });
  const outcomes = await notifyTargets(notifiers, {
    atMs,
    nowMs: Date.now(),
    dryRun: run.dryRun,
  });

  const failedSources = subjects.filter((s) => !s.known);
  if (format === "json") {
    io.stdout.write(
      `${JSON.stringify(jsonOf(report.evaluatedAt, subjects, outcomes, run.dryRun), null, 2)}\n`,
    );
  } else {
    io.stdout.write(textOf(subjects, outcomes, run.dryRun, plans.length));
  }
  for (const s of failedSources) {
    io.stderr.write(
      `error: ${s.key}: source ${s.entry.error?.source ?? "?"} failed, its alerts are left as they were: ${s.entry.error?.message ?? ""}\n`,
    );
  }
  for (const o of outcomes.filter((x) => x.error)) {
    const sent = o.delivered.filter((c) => c.kind !== "unchanged").length;
    io.stderr.write(
      `error: ${o.error!.format()}${sent > 0 ? `\n  (${sent} change(s) were delivered before the failure and are not sent again)` : ""}\n`,
    );
  }
  return failedSources.length > 0 || outcomes.some((o) => o.error) ? EXIT.source : EXIT.ok;
}

/** --alertmanager/--webhook URL (or page=URL), --github-issues [severities]. */
export function targetFlags(
  options: Pick<AlertsOptions, "alertmanager" | "webhook" | "githubIssues">,
): NotifyTarget[] {
  const targets: NotifyTarget[] = [];
  for (const [type, values] of [
    ["alertmanager", options.alertmanager ?? []],
    ["webhook", options.webhook ?? []],
  ] as const) {
    for (const value of values) {
      const m = /^(page|ticket)=(.*)$/s.exec(value);
      const url = m ? m[2]! : value;
      if (!/^https?:\/\/[^\s]+$/i.test(url)) {
        throw usageError(
          `--${type}: expected an http:// or https:// URL, optionally after page= or ticket=`,
        );
      }
      targets.push({ type, url, severities: m ? [m[1] as Severity] : ["page", "ticket"] });
    }
  }
  if (options.githubIssues !== undefined && options.githubIssues !== false) {
    const severities: Severity[] =
      options.githubIssues === true
        ? ["page", "ticket"]
        : options.githubIssues
            .split(",")
            .map((s) => oneOf("--github-issues", s.trim(), ["page", "ticket"] as const));
    targets.push({ type: "github-issue", severities });
  }
  return targets;
}

function describeChange(change: TargetChange): string {
  const [key] = change.key.split("|");
  switch (change.kind) {
    case "fired":
      return `fired ${SEVERITY_WORD[change.current.severity]} ${key}`;
    case "changed":
      return `${SEVERITY_WORD[change.previous.severity]} -> ${SEVERITY_WORD[change.current.severity]} ${key}`;
    case "resolved":
      return `resolved ${SEVERITY_WORD[change.previous.severity]} ${key}`;
    case "unchanged":
      return `still ${SEVERITY_WORD[change.current.severity]} ${key}`;
  }
}

function textOf(
  subjects: readonly AlertSubject[],
  outcomes: readonly TargetOutcome[],
  dryRun: boolean,
  targets: number,
): string {
  const lines = firingLines(subjects);
  if (targets === 0) {
    lines.push(
      "no alert targets: add notify: to the SLO file, or pass --alertmanager, --webhook or --github-issues",
    );
  }
  for (const o of outcomes) lines.push(outcomeLine(o, dryRun));
  // names from SLO files are in these lines: shown, never obeyed by the terminal
  return `${lines.map(escapeTerminal).join("\n")}\n`;
}

/** What fires, or that nothing does (among the SLOs whose source could be read). */
function firingLines(subjects: readonly AlertSubject[]): string[] {
  const lines: string[] = [];
  for (const s of subjects) {
    for (const severity of ["page", "ticket"] as const) {
      const rules = s.firing[severity];
      if (rules) lines.push(`${SEVERITY_WORD[severity]} ${s.key}: burning ${burnSentence(rules)}`);
    }
  }
  if (lines.length > 0) return lines;
  const evaluated = subjects.filter((s) => s.known).length;
  return [
    evaluated === subjects.length
      ? "no burn-rate alert fires"
      : `no burn-rate alert fires among the ${evaluated} SLO(s) evaluated`,
  ];
}

/** One line a target: what it was sent (or would be, or was before it failed). */
function outcomeLine(o: TargetOutcome, dryRun: boolean): string {
  const news = (changes: readonly TargetChange[]) => changes.filter((c) => c.kind !== "unchanged");
  const refreshed =
    o.target.type === "alertmanager" ? o.changes.filter((c) => c.kind === "unchanged").length : 0;
  const verb = dryRun ? "would send" : o.error ? "sent before failing" : "sent";
  const shown = !dryRun && o.error ? news(o.delivered) : news(o.changes);
  const parts = shown.map(describeChange);
  if (refreshed > 0) parts.push(`${refreshed} still firing (refreshed)`);
  const what =
    parts.length > 0 ? `${verb}: ${parts.join("; ")}` : o.error ? "failed" : "nothing new";
  return `${o.target.display}: ${what}`;
}

function jsonOf(
  evaluatedAt: string,
  subjects: readonly AlertSubject[],
  outcomes: readonly TargetOutcome[],
  dryRun: boolean,
) {
  const plain = (c: TargetChange) => ({
    kind: c.kind,
    key: c.key,
    ...("previous" in c ? { previous: c.previous.severity } : {}),
    ...("current" in c ? { current: c.current.severity, since: c.current.since } : {}),
  });
  return {
    evaluatedAt,
    dryRun,
    firing: subjects.flatMap((s) =>
      (["page", "ticket"] as const)
        .filter((sev) => s.firing[sev])
        .map((severity) => ({
          key: alertKey(s.key, severity),
          service: s.slo.service,
          slo: s.slo.name,
          severity,
          rules: s.firing[severity],
        })),
    ),
    unknown: subjects.filter((s) => !s.known).map((s) => s.key),
    targets: outcomes.map((o) => ({
      target: o.target.display,
      type: o.target.type,
      changes: o.changes.map(plain),
      delivered: o.delivered.map(plain),
      error: o.error ? o.error.message : null,
    })),
  };
}
