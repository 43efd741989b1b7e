/**
 * `slo report`: the scheduled report over each SLO's window: SLI, budget
 * left, the burn-down, the trend against the previous window, the alerts
 * that fired and what spent the budget. Markdown, one self-contained HTML
 * file, the JSON report, or the terminal's text; `--issue` keeps one "SLO report" issue current.
 */

import type { Command } from "commander";
import { publishReportIssue } from "../alerts/report-issue.js";
import { REPORT_TITLE } from "../conventions.js";
import type { SloSet } from "../definition/model.js";
import { EXIT } from "../errors.js";
import { runUrlOf } from "../github/context.js";
import { oneOf, parseAt } from "../parse-option.js";
import { evaluateSet } from "../pipeline/evaluate-set.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { renderHtml } from "../report/render-html.js";
import { renderJson } from "../report/render-json.js";
import { renderMarkdown } from "../report/render-markdown.js";
import { renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import {
  cacheOption,
  deployOption,
  deploysGiven,
  environmentOption,
  gitHubDeploysOf,
  logCacheOf,
  noCacheOption,
  pathsArgument,
  printWarning,
  writeOutput,
} from "./common.js";
import { type CliIo, useColor } from "./io.js";

export interface ReportOptions {
  /** --cache DIR (text), --no-cache (false) */
  cache?: string | boolean;
  at?: string;
  format: string;
  out?: string;
  issue?: boolean;
  deploy?: string[];
  environment?: string;
}

export function registerReport(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("report")
    .description(
      "report each SLO over its window: budget, burn-down, trend, alerts that fired, what spent the budget",
    )
    .addArgument(pathsArgument())
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .addOption(cacheOption())
    .addOption(noCacheOption())
    .option("--format <format>", "markdown, html, json or text", "markdown")
    .option("--out <file>", "write the report to a file instead of stdout")
    .addOption(deployOption())
    .addOption(environmentOption())
    .option(
      "--issue",
      "also keep one 'SLO report' issue in GITHUB_REPOSITORY updated with it (needs GITHUB_TOKEN)",
    )
    .action(async (paths: string[], options: ReportOptions) => {
      setExit(await runReport(paths, options, io));
    });
}

export async function runReport(
  paths: string[],
  options: ReportOptions,
  io: CliIo,
): Promise<number> {
  const format = oneOf("--format", options.format, ["markdown", "html", "json", "text"] as const);
  const atMs = parseAt(options.at, "--at");
  const given = deploysGiven(options.deploy, atMs);
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
  // Before any source is read: a missing token is a usage error, not a late failure.
  const issues = options.issue
    ? (await import("./github-issues.js")).issueApiFromEnv(io, "--issue")
    : undefined;
  const report = await evaluateSet(set, {
    atMs,
    alertHistory: true,
    deploys: { given, github: await gitHubDeploysOf(options.environment, set, atMs, io) },
    sourceOptions: { stdin: io.stdin, cache: logCacheOf(options.cache, io) },
    onWarning: (message) => io.stderr.write(`warning: ${message}\n`),
  });
  const runUrl = runUrlOf(io.env) ?? undefined;
  const text = rendered(report, format, {
    runUrl,
    set,
    color: !options.out && useColor(io, io.stdout),
  });
  await writeOutput(io, text, options.out, set);
  if (issues) {
    const markdown =
      format === "markdown" ? text : renderMarkdown(report, { title: REPORT_TITLE, runUrl });
    const published = await publishReportIssue(issues, markdown);
    io.stderr.write(
      `${published.action} issue #${published.issue.number} in ${issues.repository}: ${published.issue.url}\n`,
    );
  }
  return sourceFailed(report) ? EXIT.source : EXIT.ok;
}

function rendered(
  report: SloReport,
  format: "markdown" | "html" | "json" | "text",
  how: { runUrl: string | undefined; set: SloSet; color: boolean },
): string {
  const { runUrl } = how;
  if (format === "json") return renderJson(report);
  if (format === "html") {
    return renderHtml(report, {
      title: REPORT_TITLE,
      runUrl,
      warnRemaining: warnThresholds(how.set),
    });
  }
  // The terminal's table, with the alerts that fired: colour on a TTY, never in a file.
  if (format === "text") return renderText(report, { color: how.color });
  return renderMarkdown(report, { title: REPORT_TITLE, runUrl });
}

/** A report with an SLO whose source failed is still written, and the exit code says so. */
function sourceFailed(report: SloReport): boolean {
  return report.slos.some((s) => s.status === "error");
}

function warnThresholds(set: SloSet): Record<string, number> {
  const out: Record<string, number> = {};
  for (const service of set.services) {
    for (const slo of service.slos) {
      if (slo.gate.enabled) out[`${slo.service}/${slo.name}`] = slo.gate.warnRemaining;
    }
  }
  return out;
}
