/**
 * When slo rules has nothing to write, its error says why, from the
 * per-SLO reasons: every SLO a sampled value, every SLO on a source slo
 * cannot query, or on a source of another kind, or a mix of these.
 */

import { describe, expect, it } from "vitest";
import { hasStackTrace, runCli } from "../support/cli.js";

const SAMPLED = "test/fixtures/no-rules/sampled-only.yaml";
const DATADOG = "test/fixtures/openslo/unsupported-sources/env-in-connection-details.yaml";
const MIXED = "test/fixtures/no-rules/sampled-and-datadog";

async function refusal(args: string[]): Promise<string> {
  const r = await runCli(["rules", ...args]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(hasStackTrace(r.stderr)).toBe(false);
  const line = r.stderr.split("\n").find((l) => l.startsWith("error: "));
  expect(line, r.stderr).toBeDefined();
  return r.stderr.slice(r.stderr.indexOf(line!));
}

describe("slo rules with nothing to write says why", () => {
  it("every SLO a sampled value", async () => {
    const text = await refusal([SAMPLED]);
    expect(text).toContain(
      `error: no rules to write: every SLO in ${SAMPLED} is a sampled value (a thresholdMetric on a query, or a raw ratio without {{window}}), and a sampled value gets no rules`,
    );
    expect(text).toContain("slo check, report and alerts evaluate them");
    expect(text).not.toContain("reads a prometheus source");
  });

  it("every SLO on a source slo cannot query", async () => {
    const text = await refusal([DATADOG]);
    expect(text).toContain(
      `error: no rules to write: every SLO in ${DATADOG} reads a source slo cannot query (Datadog)`,
    );
    expect(text).not.toContain("reads a prometheus source");
  });

  it("a mix: each reason with the SLOs it holds for", async () => {
    const text = await refusal([MIXED]);
    expect(text).toContain(
      `error: no rules to write: none of the SLOs in ${MIXED}/checkout.yaml, ${MIXED}/worker.yaml gets rules: `,
    );
    expect(text).toContain("checkout/checkout-availability reads Datadog, which slo cannot query");
    expect(text).toContain(
      "worker/queue-depth and worker/success-ratio are sampled values (a thresholdMetric on a query, or a raw ratio without {{window}}), which get no rules",
    );
  });

  it("for Loki's ruler, a sampled Prometheus SLO is told as on a prometheus source", async () => {
    const text = await refusal([SAMPLED, "--format", "loki"]);
    expect(text).toContain(
      `error: no rules to write: none of the SLOs in ${SAMPLED} reads a loki source (they read prometheus)`,
    );
  });
});
