/** The last-resort cut: what is left still renders, and no <details> is left with nothing in it. */

import { describe, expect, it } from "vitest";
import { truncateMarkdown } from "../../src/github/truncate.js";
import { expectWellFormed } from "../report/scale-fixture.js";

const block = (i: number) =>
  [
    "<details>",
    `<summary>slo ${i}</summary>`,
    "",
    `- line ${"x".repeat(300)}`,
    "",
    "</details>",
  ].join("\n");

describe("truncateMarkdown", () => {
  it("never leaves a <details> holding only its summary", () => {
    const text = ["## report", ...Array.from({ length: 50 }, (_, i) => block(i))].join("\n\n");
    for (let limit = 400; limit < 3_000; limit += 37) {
      const cut = truncateMarkdown(text, limit, "cut");
      expect(cut.length).toBeLessThanOrEqual(limit);
      expectWellFormed(cut);
    }
  });

  it("leaves text that fits as it is", () => {
    expect(truncateMarkdown("short", 100, "cut")).toBe("short");
  });
});
