/** The public library API does what the CLI does, from one import. */

import { describe, expect, it } from "vitest";
import { evaluateSet, loadSpec, renderMarkdown, renderText } from "../src/index.js";

describe("the library API", () => {
  it("loads the example, evaluates it and renders it", async () => {
    const { set, errors } = await loadSpec(["slos/"]);
    expect(errors).toEqual([]);
    const report = await evaluateSet(set, { atMs: Date.parse("2026-11-24T12:00:00Z") });
    expect(report.result).toBe("fail");
    expect(renderText(report, { color: false })).toContain("customer-info-sync");
    expect(renderMarkdown(report)).toContain("xychart-beta");
  });
});

describe("the gate from the library", () => {
  it("gives the verdict slo check gives on the example, with the report it shows", async () => {
    const { loadSetOrThrow, runGate } = await import("../src/index.js");
    const set = await loadSetOrThrow(["slos/"]);
    const shown: string[] = [];
    const outcome = await runGate(set, {
      atMs: Date.parse("2026-11-24T12:00:00Z"),
      failOn: "breach",
      onSourceError: "error",
      show: async (report) => {
        shown.push(report.result);
      },
    });
    expect(outcome).toMatchObject({ verdict: 1, exitCode: 1, published: null });
    expect(shown).toEqual(["fail"]);
    const lenient = await runGate(set, {
      atMs: Date.parse("2026-11-24T12:00:00Z"),
      failOn: "never",
      onSourceError: "error",
    });
    expect(lenient.exitCode).toBe(0);
  });
});
