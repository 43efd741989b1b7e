/**
 * slo rules asks no server which kind a histogram is: without histogramType
 * it writes the classic form, and says so on stderr, naming the SLOs.
 */

import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("slo rules and a histogram's kind", () => {
  it("names the latency SLOs written as classic because the file does not say", async () => {
    const r = await runCli(["rules", "examples/prometheus/"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      "note: histogram latency without histogramType, written as classic (_bucket, le): checkout/requests-latency;",
    );
  });

  it("says nothing when the file gives histogramType", async () => {
    const r = await runCli(["rules", "test/fixtures/rules/native-histogram.yaml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("without histogramType");
  });
});
