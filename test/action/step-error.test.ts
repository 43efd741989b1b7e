/** The step's error when the gate fails: what breached, named, bounded, safe for the log. */

import { describe, expect, it } from "vitest";
import { gateFailedMessage } from "../../src/action/step-error.js";
import { MAX_SLOS_NAMED_IN_ERRORS } from "../../src/limits.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

const gate = { failOn: "breach", onSourceError: "error" } as const;

describe("gateFailedMessage", () => {
  it("names what breached, with the budget left", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout", "search"]), {
      search: 0.00271,
    });
    expect(gateFailedMessage(report, gate)).toBe(
      "The SLO gate fails: search breaching (budget left -171.0%)",
    );
  });

  it("names a few, the worst first, then counts the rest", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `slo-${i}`);
    const report = await reportOf(
      "slos/ctrl.yaml",
      sloYaml("ctrl", names),
      Object.fromEntries(names.map((n, i) => [n, 0.002 + i * 0.001])),
    );
    const message = gateFailedMessage(report, gate);
    expect(message).toBe(
      `The SLO gate fails: ${["slo-7", "slo-6", "slo-5", "slo-4", "slo-3"]
        .slice(0, MAX_SLOS_NAMED_IN_ERRORS)
        .map((n) => `${n} breaching (budget left ${(-100 * (Number(n.slice(4)) + 1)).toFixed(1)}%)`)
        .join(", ")} and ${8 - MAX_SLOS_NAMED_IN_ERRORS} more`,
    );
  });

  it("with fail-on: warning, names the SLOs warning too", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["checkout", "search"]), {
      checkout: 0.0009,
    });
    expect(report.slos[0]!.status).toBe("warning");
    expect(gateFailedMessage(report, { ...gate, failOn: "warning" })).toMatch(
      /^The SLO gate fails: checkout warning \(budget left \d+(\.\d)?%\)$/,
    );
  });

  it("a name cannot forge a log line or a workflow command", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["search"]), {
      search: 0.005,
    });
    report.slos[0]!.name = "search\n::set-output name=result::pass\r\n::add-mask:::x\u202e";
    const message = gateFailedMessage(report, gate);
    expect(message).not.toMatch(/[\r\n\u202e]/);
    expect(message).not.toContain("::");
    expect(message).toContain(
      "search : :set-output name=result: :pass : :add-mask: : :x breaching",
    );
  });

  it("without a breach to name (a health check, say), still one line", async () => {
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["search"]), {});
    report.result = "fail";
    report.health = [
      {
        service: "ctrl",
        name: "payments-api",
        url: "http://x/",
        ok: false,
        onFailure: "fail",
        dependencies: [],
        error: "down",
      },
    ];
    expect(gateFailedMessage(report, gate)).toBe("The SLO gate fails: payments-api unhealthy");
  });
});
