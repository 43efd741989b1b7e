/**
 * Corrections in the reports people read: when each was (a recurring one
 * summarised in its own zone), its category, its reason escaped for the
 * format, and the events it excluded; the overview sums them.
 */

import { describe, expect, it } from "vitest";
import { correctionsSummary, correctionWhen } from "../../src/report/corrections.js";
import { renderHtml } from "../../src/report/render-html.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";
import { HOSTILE_REASON, oneOff, WEEKLY, withCorrections } from "./corrections-fixture.js";

async function report() {
  const base = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout", "search"]), {
    checkout: 0.002,
  });
  return withCorrections(base, "checkout", [WEEKLY, oneOff()]);
}

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));

describe("a correction in words", () => {
  it("summarises a recurring one by frequency, day, local time and zone, and counts its periods", () => {
    expect(correctionWhen(WEEKLY)).toBe(
      "weekly, Sun 02:00–04:00 Europe/Berlin, 4 times in the window",
    );
  });

  it("keeps the local time across a DST change (the UTC times differ, the local ones do not)", () => {
    const acrossDst = {
      ...WEEKLY,
      rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU;BYHOUR=2",
      occurrences: [
        { start: "2026-10-18T00:00:00.000Z", end: "2026-10-18T02:00:00.000Z" },
        { start: "2026-11-01T01:00:00.000Z", end: "2026-11-01T03:00:00.000Z" },
      ],
    };
    expect(correctionWhen(acrossDst)).toBe(
      "every 2 weeks, Sun 02:00–04:00 Europe/Berlin, 2 times in the window",
    );
  });

  it("gives a one-off period its dates, with both when it crosses midnight", () => {
    expect(correctionWhen(oneOff())).toBe("2026-11-18 06:00–12:00 UTC");
    const overnight = {
      ...oneOff(),
      timeZone: "America/New_York",
      occurrences: [{ start: "2026-11-19T03:00:00.000Z", end: "2026-11-19T07:00:00.000Z" }],
    };
    expect(correctionWhen(overnight)).toBe("2026-11-18 22:00 – 2026-11-19 02:00 America/New_York");
  });

  it("counts the periods the report lists and those it left out", () => {
    expect(correctionWhen({ ...WEEKLY, occurrencesLeftOut: 96 })).toBe(
      "weekly, Sun 02:00–04:00 Europe/Berlin, 100 times in the window",
    );
  });

  it("sums what an SLO's corrections excluded", () => {
    expect(correctionsSummary({ corrections: [WEEKLY, oneOff()] })).toBe(
      "2 corrections excluded 1,234 events (34 bad)",
    );
    expect(correctionsSummary({})).toBeNull();
  });
});

describe("corrections in the Markdown report", () => {
  it("says in the overview how many events corrections excluded", async () => {
    const md = renderMarkdown(await report());
    expect(md).toContain("Corrections excluded 1,234 events (34 bad) from 1 SLO.");
  });

  it("lists each correction in the SLO's details, its reason escaped to one plain cell", async () => {
    const md = renderMarkdown(await report());
    const lines = md.split("\n");
    const header = lines.indexOf("| correction | category | when | events excluded |");
    expect(header).toBeGreaterThan(-1);
    const rows = lines.slice(header + 2, header + 4);
    for (const row of rows) expect((row.match(/\|/g) ?? []).length).toBe(5);
    expect(rows[0]).toBe(
      "| Weekly database maintenance | maintenance | weekly, Sun 02:00–04:00 Europe&#47;Berlin, 4 times in the window | 834 (34 bad) |",
    );
    expect(rows[1]).not.toMatch(/<b>|<script|@ops|[^&]#12|\*now\*/);
    expect(decode(rows[1]!.split(" | ")[0]!.slice(2))).toBe(HOSTILE_REASON);
    expect(md).toContain("- Corrections: 2 corrections excluded 1,234 events (34 bad)");
  });

  it("says under the Mermaid chart, which cannot shade a period, that the corrections are left out", async () => {
    const md = renderMarkdown(await report());
    const chartEnd = md.indexOf("```", md.indexOf("```mermaid") + 3);
    expect(md.slice(chartEnd, chartEnd + 200)).toContain(
      "The line counts no event inside the corrections above: Mermaid cannot shade them.",
    );
  });

  it("changes nothing for a report without corrections", async () => {
    const plain = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout"]), {});
    expect(renderMarkdown(plain)).not.toMatch(/correction/i);
  });
});

describe("corrections in the HTML report", () => {
  it("lists each correction with its reason as text", async () => {
    const html = renderHtml(await report());
    expect(html).toContain("<h3>Corrections</h3>");
    expect(html).toContain(
      '<td data-label="when">weekly, Sun 02:00–04:00 Europe/Berlin, 4 times in the window</td>',
    );
    expect(html).not.toContain("<b>upgrade</b>");
    expect(html).toContain("DB &lt;b&gt;upgrade&lt;/b&gt; | *now* @ops #12 &lt;script&gt;");
    expect(html).toContain("2 corrections excluded 1,234 events (34 bad)");
  });

  it("says under the chart when older periods are not drawn", async () => {
    const base = await report();
    const many = withCorrections(base, "checkout", [{ ...WEEKLY, occurrencesLeftOut: 96 }]);
    expect(renderHtml(many)).toContain(
      "The 96 oldest periods of corrections with more than 100 in the window are not drawn.",
    );
    expect(renderHtml(await report())).not.toContain("oldest periods");
  });
});
