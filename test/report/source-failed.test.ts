/**
 * An SLO whose source failed was not evaluated: every report says so where
 * the counts would be, and draws no burn-down (there is nothing to draw, and
 * "0 in all, 0 bad" or "no data in this window" would read as a quiet service).
 */

import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import { SloError } from "../../src/errors.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import type { SloReport } from "../../src/report/schema.js";
import { AT, sloYaml } from "../github/report-fixture.js";

async function failedReport(): Promise<SloReport> {
  const file = "slos/shop.yaml";
  const { services } = loadText(file, sloYaml("shop", ["checkout"]), {});
  return evaluateSet(
    { files: [file], services },
    {
      atMs: AT,
      alertHistory: true,
      sourceFactory: () => ({
        name: "logs",
        type: "logs",
        async count() {
          throw new SloError({ code: "source", message: "events.ndjson: no such file" });
        },
      }),
    },
  );
}

describe("an SLO whose source failed", () => {
  it("is an error with no counts", async () => {
    const entry = (await failedReport()).slos[0]!;
    expect(entry.status).toBe("error");
    expect(entry.error?.source).toBe("logs");
  });

  it("Markdown: 'not evaluated' where the events would be, no chart", async () => {
    const md = renderMarkdown(await failedReport());
    expect(md).toContain("- Events: not evaluated: source logs failed");
    expect(md).not.toContain("0 in all");
    expect(md).not.toContain("```mermaid");
  });

  it("HTML: 'not evaluated' where the events would be, no burn-down chart", async () => {
    const html = renderHtml(await failedReport(), {});
    expect(html).toContain("<dt>Events</dt><dd>not evaluated: source logs failed</dd>");
    expect(html).not.toContain("0 in all");
    expect(html).not.toContain("no data in this window");
  });

  it("text: the source's failure, no counts", async () => {
    const text = renderText(await failedReport(), { color: false });
    expect(text).toContain("checkout: source logs: events.ndjson: no such file");
    expect(text).not.toContain("0 in all");
  });
});
