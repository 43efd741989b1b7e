/**
 * The Action: inputs in, the same pipeline as `slo check --github`, outputs
 * out. Nothing here computes anything; a failing step says why in one line.
 */

import * as core from "@actions/core";
import { runCheck } from "../cli/check.js";
import { oneOf, parseAt } from "../cli/common.js";
import { EXIT, exitCodeFor, SloErrors, toSloError, usageError } from "../errors.js";
import { emptyOutputs, writeOutputs } from "../github/outputs.js";

export interface ActionInputs {
  config: string[];
  at: string | undefined;
  failOn: "breach" | "warning" | "never";
  onSourceError: "error" | "pass" | "fail";
  token: string | undefined;
  checkName: string;
  comment: boolean;
  commentId: string;
  overrideLabel: string;
  sha: string | undefined;
  failOnReportError: boolean;
}

/** action.yml's defaults apply only on a runner; they are repeated here. Empty means not given. */
export function parseInputs(
  input: (name: string) => string = (n) => core.getInput(n),
): ActionInputs {
  const text = (name: string) => input(name).trim() || undefined;
  const at = text("at");
  // checked here, so the error names the input rather than the CLI's --at
  if (at !== undefined) parseAt(at, "at");
  return {
    config: (text("config") ?? "slos/")
      .split(/[\n,]/)
      .map((p) => p.trim())
      .filter(Boolean),
    at,
    failOn: oneOf("fail-on", text("fail-on") ?? "breach", ["breach", "warning", "never"] as const),
    onSourceError: oneOf("on-source-error", text("on-source-error") ?? "error", [
      "error",
      "pass",
      "fail",
    ] as const),
    // The runner fills in github.token; an explicit "" means: report nothing to the API.
    token: text("github-token"),
    checkName: text("check-name") ?? "slo",
    comment: bool(input, "comment", true),
    commentId: text("comment-id") ?? "default",
    overrideLabel: text("override-label") ?? "slo-override",
    sha: text("sha"),
    failOnReportError: bool(input, "fail-on-report-error", false),
  };
}

function bool(input: (name: string) => string, name: string, fallback: boolean): boolean {
  const value = input(name).trim().toLowerCase();
  if (value === "") return fallback;
  if (value === "true") return true;
  if (value === "false") return false;
  throw usageError(`${name} ${JSON.stringify(value)}: expected true or false`);
}

export async function run(): Promise<void> {
  // Defined before anything can fail, so later steps can always read them.
  if (process.env.GITHUB_OUTPUT) await writeOutputs(process.env.GITHUB_OUTPUT, emptyOutputs());
  try {
    // The runner masks the token already (github.token, secrets); it is never printed.
    const inputs = parseInputs();
    const code = await runCheck(inputs.config, {
      at: inputs.at,
      format: "text",
      failOn: inputs.failOn,
      ...(inputs.onSourceError !== "error" ? { onSourceError: inputs.onSourceError } : {}),
      github: true,
      githubToken: inputs.token ?? "",
      checkName: inputs.checkName,
      comment: inputs.comment,
      commentId: inputs.commentId,
      overrideLabel: inputs.overrideLabel,
      sha: inputs.sha,
      failOnReportError: inputs.failOnReportError,
      log: { info: core.info, warning: core.warning },
    });
    if (code === EXIT.fail) core.setFailed("The SLO gate fails: see the report above.");
    if (code === EXIT.source) {
      core.setFailed("A source could not be read, or a report could not be delivered: see above.");
    }
    process.exitCode = code;
  } catch (error) {
    // SLO file problems become annotations on the lines at fault; setFailed says the rest.
    const errors = error instanceof SloErrors ? error.errors : [toSloError(error)];
    for (const e of errors.filter((x) => x.file)) {
      core.error(e.hint ? `${e.message} (${e.hint})` : e.message, {
        title: "slo",
        file: e.file,
        startLine: e.line,
        startColumn: e.col,
      });
    }
    core.setFailed(
      errors.length > 1
        ? `${errors.length} problems in the SLO files: see the errors above`
        : errors[0]!.format(),
    );
    process.exitCode = exitCodeFor(error instanceof SloErrors ? error : errors[0]);
  }
}
