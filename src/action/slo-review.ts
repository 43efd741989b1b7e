/**
 * On a pull request, the review of its changes to the SLO files: the base
 * commit's SLOs (read with git; the checkout needs fetch-depth: 0) against
 * the checkout's, both evaluated on the same data. Never fails the gate:
 * when the review cannot be made, a warning says why and the run goes on.
 */

import type { SloSet } from "../definition/model.js";
import { SloError, SloErrors } from "../errors.js";
import { type Env, pullRequestBaseOf } from "../github/context.js";
import { diffSlos } from "../pipeline/slo-diff.js";
import { renderDiffMarkdown } from "../report/render-diff.js";

export interface ReviewContext {
  env: Env;
  cwd: string;
  /** the config paths, looked up at the base commit too */
  paths: readonly string[];
  atMs: number;
  log: { info(message: string): void; warning(message: string): void };
}

/** The review as Markdown, or undefined: not a pull request, no SLO changed, or it could not be made. */
export async function reviewOfPullRequest(
  head: SloSet,
  context: ReviewContext,
): Promise<string | undefined> {
  const base = await pullRequestBaseOf(context.env);
  if (base === null) return undefined;
  try {
    const diff = await diffSlos(head, {
      base,
      paths: context.paths,
      cwd: context.cwd,
      env: context.env,
      atMs: context.atMs,
    });
    if (diff.changes.length === 0) {
      context.log.info(`No SLO changed since the base commit ${base.slice(0, 7)}: no review.`);
      return undefined;
    }
    return renderDiffMarkdown(diff);
  } catch (error) {
    if (!(error instanceof SloError || error instanceof SloErrors)) throw error;
    const errors = error instanceof SloErrors ? error.errors : [error];
    context.log.warning(
      `No review of the SLO changes: ${errors.map((e) => e.format()).join("; ")}. The base commit's SLO files are read with git: check out with fetch-depth: 0 (actions/checkout) so that the base commit is there.`,
    );
    return undefined;
  }
}
