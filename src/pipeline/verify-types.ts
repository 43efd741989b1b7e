/**
 * The types of `slo verify` that the CLI, the Action and GitHub's publisher
 * share: what to judge, how, and what came of it.
 */

import type { Deploy } from "../definition/model.js";
import type { DeployVerdict } from "../engine/deploy-verdict.js";
import type { SloReport } from "../report/schema.js";
import type { EvaluateOptions } from "./evaluate-set.js";
import type { PublishOutcome } from "./gate.js";

export const BASELINES = ["before", "week", "both"] as const;
export type Baseline = (typeof BASELINES)[number];

export const VERIFY_FAIL_ON = ["regressed", "inconclusive"] as const;
export type VerifyFailOn = (typeof VERIFY_FAIL_ON)[number];

export type { DeployVerdict } from "../engine/deploy-verdict.js";

/** Where a verification is published (GitHub: check run, PR comment, deployment status). */
export interface VerifyPublisher {
  publish(report: SloReport, verdict: DeployVerdict): Promise<PublishOutcome>;
}

export interface VerifyOptions extends Pick<EvaluateOptions, "sourceFactory" | "sourceOptions"> {
  /** now: the after window ends here */
  atMs: number;
  /** the deploy to judge; absent: the newest deploy found (file's deploys:, `deploys`) */
  deploy?: Deploy | undefined;
  /** deploys learnt elsewhere (GitHub's deployments), for every service */
  deploys?: Deploy[] | undefined;
  /** the after window: (deploy, deploy + forMs], cut at atMs; absent: (deploy, atMs] */
  forMs?: number | undefined;
  baseline: Baseline;
  confidence: number;
  minBurn: number;
  minIncrease: number;
  failOn: VerifyFailOn;
  /** --wait: evaluate again every intervalMs until a verdict or the after window ends */
  wait?:
    | {
        intervalMs: number;
        /** the clock and the pause, so tests need not wait */
        now: () => number;
        sleep: (ms: number) => Promise<void>;
        /** called after each inconclusive look, with how long is left */
        onInconclusive?: (report: SloReport, remainingMs: number) => void;
      }
    | undefined;
  show?: (report: SloReport) => Promise<void>;
  publisher?: VerifyPublisher | null;
  failOnReportError?: boolean;
}

export interface VerifyOutcome {
  report: SloReport;
  verdict: DeployVerdict;
  /** 0 pass (and inconclusive unless failOn says), 1 regressed, 3 a source could not be read */
  exitCode: number;
  published: PublishOutcome | null;
}
