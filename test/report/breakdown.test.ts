/** What spent the budget, in every format: slo's own buckets never read as a value. */

import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import { reportSchema, type SloReport, type SloReportEntry } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

async function reportWith(breakdown: SloReportEntry["breakdown"]): Promise<SloReport> {
  const report = await reportOf("slos/x.yaml", sloYaml("shop", ["checkout"]), { checkout: 0.5 });
  report.slos[0]!.breakdown = breakdown;
  return reportSchema.parse(report);
}

/** The first cells of the Markdown breakdown table. */
function markdownValues(md: string): string[] {
  const table = md.split("| what spent the budget |")[1]!.split("\n\n")[0]!;
  return table
    .split("\n")
    .slice(2)
    .map((row) => row.split(" | ")[0]!.replace(/^\| /, ""));
}

describe("breakdown buckets", () => {
  const buckets: SloReportEntry["breakdown"] = [
    { bucket: "none", count: 3 },
    { value: "(none)", count: 2 },
    { value: "", count: 1 },
    { value: "(empty)", count: 1 },
  ];

  it("JSON: events without the field are a bucket, not a value", async () => {
    const report = await reportWith(buckets);
    expect(JSON.parse(JSON.stringify(report)).slos[0].breakdown).toEqual(buckets);
  });

  it("text: values quoted, the bucket in words", async () => {
    const text = renderText(await reportWith(buckets), { color: false });
    expect(text).toContain('budget spent by field missing (3), "(none)" (2), "" (1)');
  });

  it("Markdown: the bucket and an empty value in italics, values as text", async () => {
    const md = renderMarkdown(await reportWith(buckets));
    expect(markdownValues(md)).toEqual([
      "*field missing*",
      "&#40;none&#41;",
      "*empty*",
      "&#40;empty&#41;",
    ]);
  });

  it("HTML: the bucket and an empty value in muted italics, values as text", async () => {
    const html = renderHtml(await reportWith(buckets));
    const cells = [
      ...html.matchAll(
        /<tr><td class="name" data-label="[^"]+">(.*?)<\/td><td class="num" data-label="count">/g,
      ),
    ].map((m) => m[1]);
    expect(cells).toEqual([
      '<em class="muted">field missing</em>',
      "(none)",
      '<em class="muted">empty</em>',
      "(empty)",
    ]);
  });
});

describe("breakdown bounds and cut values", () => {
  const cut = `${"a".repeat(20)}…`;
  const bounded: SloReportEntry["breakdown"] = [
    { value: "db timeout", count: 1204, maxOvercount: 3 },
    { value: cut, truncated: true, count: 12 },
    { bucket: "none", count: 5, maxOvercount: 2 },
  ];

  it("JSON: keeps the flag and the bound", async () => {
    const report = await reportWith(bounded);
    expect(JSON.parse(JSON.stringify(report)).slos[0].breakdown).toEqual(bounded);
  });

  it("text: a count that may be over says by how much; a cut value ends outside its quotes", async () => {
    const text = renderText(await reportWith(bounded), { color: false });
    expect(text).toContain(
      `budget spent by "db timeout" (1,204, at most 3 over), "${"a".repeat(20)}"… (12), field missing (5, at most 2 over)`,
    );
  });

  it("Markdown and HTML: the bound beside the count", async () => {
    const report = await reportWith(bounded);
    expect(renderMarkdown(report)).toContain("| db timeout | 1,204 (at most 3 over) |");
    expect(renderHtml(report)).toMatch(
      /<tr><td class="name" data-label="[^"]+">db timeout<\/td><td class="num" data-label="count">1,204 \(at most 3 over\)<\/td>/,
    );
  });
});
