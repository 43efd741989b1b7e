/** The SLO's runbook reaches every report: a link only where it is a web address, text everywhere else. */

import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import { reportSchema, type SloReport } from "../../src/report/schema.js";
import { reportOf } from "../github/report-fixture.js";

const YAML = `service: shop
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: checkout
    objective: 99.9%
    window: 30d
    runbook: https://runbooks.example/checkout?team=shop&x=(1)
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
  - name: search
    objective: 99.9%
    window: 30d
    runbook: 'javascript:alert(1) <b>see</b> wiki | Search'
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
  - name: login
    objective: 99.9%
    window: 30d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
`;

const report = (): Promise<SloReport> =>
  reportOf("slos/shop.yaml", YAML, { checkout: 0.01, search: 0.01, login: 0.01 });

describe("the runbook", () => {
  it("is in the JSON report entry, and only when the SLO has one", async () => {
    const r = await report();
    expect(reportSchema.parse(r)).toEqual(r);
    const [checkout, search, login] = r.slos;
    expect(checkout!.runbook).toBe("https://runbooks.example/checkout?team=shop&x=(1)");
    expect(search!.runbook).toBe("javascript:alert(1) <b>see</b> wiki | Search");
    expect(login).not.toHaveProperty("runbook");
  });

  it("is a link in Markdown for an http(s) address, escaped text otherwise", async () => {
    const md = renderMarkdown(await report());
    expect(md).toContain(
      "- Runbook: [runbook](https://runbooks.example/checkout?team=shop&x=%281%29)",
    );
    expect(md).not.toContain("javascript:");
    expect(md).not.toContain("<b>");
    expect(md).toContain("- Runbook: javascript&#58;alert&#40;1&#41; &#60;b&#62;see");
    // the table of what is not ok links the runbook beside the SLO, and only a web address
    const lead = md.split("\n").filter((l) => l.startsWith("| ❌"));
    expect(lead[0]).toContain("checkout · [runbook](https://runbooks.example/");
    expect(lead[1]).not.toContain("runbook");
  });

  it("is in the text report under an SLO that is not ok", async () => {
    const text = renderText(await report(), { color: false });
    expect(text).toContain("  checkout: runbook https://runbooks.example/checkout?team=shop&x=(1)");
    expect(text).toContain("  search: runbook javascript:alert(1) <b>see</b> wiki | Search");
    expect(text).not.toContain("login: runbook");
  });

  it("is a fact in the HTML report: href only for http(s), escaped", async () => {
    const html = renderHtml(await report());
    expect(html).toContain(
      '<a href="https://runbooks.example/checkout?team=shop&amp;x=%281%29">https://runbooks.example/checkout?team=shop&amp;x=(1)</a>',
    );
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain("javascript:alert(1) &lt;b&gt;see&lt;/b&gt; wiki | Search");
    expect(html).not.toContain("<b>see</b>");
  });
});
