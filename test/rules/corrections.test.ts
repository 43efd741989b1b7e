/**
 * `slo rules` and corrections: Prometheus rules cannot leave a schedule's
 * events out of a range, so the rules count every event and say so, where
 * each reader looks: a comment at the top of the file naming the SLOs, an
 * annotation on each of their alerts (what on-call sees), and a warning on
 * stderr. The file stays valid for promtool (the golden case `corrections`).
 */

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hasStackTrace, runCli } from "../support/cli.js";

const FIXTURE = "test/fixtures/rules/corrections.yaml";

interface RuleFile {
  groups: { name: string; rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}

describe("slo rules with corrections", () => {
  it("warns on stderr, naming the SLOs with rules whose corrections the rules do not apply", async () => {
    const result = await runCli(["rules", FIXTURE]);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "warning: the rules count the events of corrections (slo check leaves them out): billing/availability (1 correction), billing/checkout (2 corrections)",
    );
    // The logs SLO gets no rules: it is not named.
    expect(result.stderr).not.toMatch(/warning:.*api\/worker/);
  });

  it("says so at the top of the file and on every alert of those SLOs", async () => {
    const result = await runCli(["rules", FIXTURE]);
    const head = result.stdout.split("\n").filter((l) => l.startsWith("#"));
    expect(head).toContain(
      "# Corrections are applied by slo check only: these rules count the events of the corrections of billing/availability (1) and billing/checkout (2).",
    );
    const file = parse(result.stdout) as RuleFile;
    const alerts = file.groups.flatMap((g) => g.rules.filter((r) => r.alert));
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      expect(alert.annotations?.corrections).toMatch(
        /^not applied by these rules: they count the events of this SLO's [12] corrections?, which slo check leaves out$/,
      );
    }
  });

  it("writes no such comment, annotation or warning for SLOs without corrections", async () => {
    const result = await runCli(["rules", "test/fixtures/rules/api.yaml"]);
    expect(result.stdout + result.stderr).not.toMatch(/correction/i);
  });
});
