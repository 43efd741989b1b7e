/** `slo check`: evaluate every SLO at one instant; the exit code says whether it is safe to ship. */

import type { Command } from "commander";
import { EXIT } from "../errors.js";
import { evaluateSet } from "../pipeline/evaluate-set.js";
import { renderJson } from "../report/render-json.js";
import { renderText } from "../report/render-text.js";
import type { SloReport } from "../report/schema.js";
import { loadOrThrow, oneOf, parseAt, useColor, writeOutput } from "./common.js";

export interface CheckOptions {
  at?: string;
  format: string;
  out?: string;
  failOn: string;
  onSourceError?: string;
  quiet?: boolean;
}

export function registerCheck(program: Command, setExit: (code: number) => void): void {
  program
    .command("check")
    .description("evaluate the SLOs and exit non-zero when the error budget says do not ship")
    .argument("[paths...]", "SLO files or folders", [])
    .option("--at <time>", "evaluate at this RFC 3339 instant instead of now")
    .option("--format <format>", "text or json", "text")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--fail-on <level>", "breach, warning or never", "breach")
    .option(
      "--on-source-error <result>",
      "treat an unreadable source as pass or fail instead of exit 3",
    )
    .option("-q, --quiet", "print nothing; only the exit code speaks")
    .action(async (paths: string[], options: CheckOptions) => {
      setExit(await runCheck(paths, options));
    });
}

export async function runCheck(paths: string[], options: CheckOptions): Promise<number> {
  const format = oneOf("--format", options.format, ["text", "json"] as const);
  const failOn = oneOf("--fail-on", options.failOn, ["breach", "warning", "never"] as const);
  const onSourceError = options.onSourceError
    ? oneOf("--on-source-error", options.onSourceError, ["pass", "fail"] as const)
    : "error";
  const atMs = parseAt(options.at);
  const set = await loadOrThrow(paths);
  const report = await evaluateSet(set, { atMs, onSourceError });
  if (!options.quiet || options.out) {
    const text =
      format === "json"
        ? renderJson(report)
        : renderText(report, { color: !options.out && useColor(process.stdout) });
    await writeOutput(text, options.out, set.files);
  }
  return exitCodeOf(report, failOn, onSourceError);
}

/**
 * 1 when the gate fails; 3 when a source could not be read and nothing failed
 * outright (a known breach is the stronger verdict); else 0.
 */
export function exitCodeOf(
  report: SloReport,
  failOn: "breach" | "warning" | "never",
  onSourceError: "error" | "pass" | "fail",
): number {
  if (failOn === "never") return EXIT.ok;
  if (report.result === "fail") return EXIT.fail;
  const sourceFailed = report.slos.some((s) => s.gated && s.status === "error");
  if (sourceFailed && onSourceError === "error") return EXIT.source;
  if (report.result === "warn" && failOn === "warning") return EXIT.fail;
  return EXIT.ok;
}
