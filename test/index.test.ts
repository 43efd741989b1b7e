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
