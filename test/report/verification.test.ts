/**
 * `slo verify`'s report in the terminal and in Markdown: the deploy and the
 * verdict first, then a table per service (baseline and after: events, bad,
 * error ratio, burn rate; the p-value; the verdict and why), the budgets
 * below it.
 */

import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import { renderText } from "../../src/report/render-text.js";
import { BEFORE_ONLY, type ComparisonSpec, verifyReport } from "./deploy-fixture.js";

const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
const pipes = (row: string) => (row.match(/\|/g) ?? []).length;

const VERIFY_HEADER =
  "| SLO | baseline | events | bad | error ratio | burn rate | p-value | verdict | why |";

/** Every Markdown table starting with `header`. */
function tables(md: string, header: string): string[][] {
  const lines = md.split("\n");
  const out: string[][] = [];
  lines.forEach((line, i) => {
    if (line !== header) return;
    const end = lines.findIndex((l, j) => j > i && !l.startsWith("|"));
    out.push(lines.slice(i, end < 0 ? undefined : end));
  });
  return out;
}

const BOTH: Record<string, ComparisonSpec[]> = {
  checkout: [
    { ...BEFORE_ONLY.checkout![0]!, verdict: "pass", pValue: 0.2, reason: "no significant rise" },
    {
      baseline: "week",
      base: [30_000, 30],
      after: [11_500, 80],
      pValue: 0.000_000_03,
      verdict: "regressed",
      reason: "the error ratio rose 6.96× against a week ago",
    },
  ],
  search: [
    BEFORE_ONLY.search![0]!,
    { ...BEFORE_ONLY.search![0]!, baseline: "week", base: [8_000, 4], pValue: 0.3 },
  ],
};

describe("a verification in the terminal", () => {
  it("leads with the deploy and the verdict, then a table per service", async () => {
    const report = await verifyReport("before", BEFORE_ONLY);
    const text = renderText(report, { color: false });
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "deploy v2.0 #42 (commit 0123456, from GitHub) at 2026-11-24 11:00 UTC: REGRESSED",
    );
    expect(text).toContain(
      "after the deploy 2026-11-24 11:00 → 12:00 UTC against before: 10:00 → 11:00 UTC",
    );
    expect(text).toContain(
      "regressed when the rise is significant at 99% confidence, the after window burns at least 2.00× and its error ratio is at least 1.50× the baseline's",
    );
    expect(text).toMatch(
      /^ {2}checkout\s+before\s+12,000 → 11,500\s+12 → 80\s+0\.1% → 0\.696%\s+1\.00× → 6\.96×\s+1\.2e-6\s+regressed\s+the error ratio rose 6\.96× and burns the budget at 6\.96×$/m,
    );
    expect(text).toMatch(
      /^ {2}search\s+before\s+9,000 → 9,100\s+5 → 6\s+.*\s0\.41\s+pass\s+no significant rise$/m,
    );
    expect(text).toMatch(
      /^ {2}post\s+before\s+40 → 12\s+0 → 1\s+0% → 8\.333%\s+0\.00× → 83\.33×\s+0\.23\s+inconclusive\s+12 events after the deploy, 2,388 more needed to detect errors at 0\.20% \(burn 2x\) at 99%$/m,
    );
    // The budgets stay, below the verification.
    const verifyHeader = text.indexOf("p-value");
    const budgetHeader = text.indexOf("budget left");
    expect(verifyHeader).toBeGreaterThan(0);
    expect(budgetHeader).toBeGreaterThan(verifyHeader);
    // The last line is the deploy's verdict, which the exit code follows, not the budgets' result.
    expect(lines.at(-2)).toBe("verdict: REGRESSED at 2026-11-24T12:00:00.000Z");
    expect(text).not.toMatch(/^result: /m);
  });

  it("has a row per comparison when the baseline is both", async () => {
    const text = renderText(await verifyReport("both", BOTH), { color: false });
    expect(text).toContain(
      "against before: 10:00 → 11:00 UTC and week: 2026-11-17 11:00 → 12:00 UTC",
    );
    expect(text).toMatch(/^ {2}checkout\s+before\s.*\spass\s+no significant rise$/m);
    expect(text).toMatch(/^ {2}checkout\s+week\s+30,000 → 11,500\s.*\s3\.0e-8\s+regressed\s/m);
    expect(text.match(/^ {2}search\s+(before|week)\s/gm)).toHaveLength(2);
    // post was not verified: said so, not left out.
    expect(text).toMatch(
      /^ {2}post\s+–\s.*\snot verified: no deploy of this service was given or found/m,
    );
  });

  it("compares with the same hours a week earlier when the baseline is week", async () => {
    const report = await verifyReport("week", { checkout: [BOTH.checkout![1]!] });
    const text = renderText(report, { color: false });
    expect(text).toContain(
      "after the deploy 2026-11-24 11:00 → 12:00 UTC against week: 2026-11-17 11:00 → 12:00 UTC",
    );
    expect(text).not.toContain("the worse of the two");
    expect(text).toMatch(
      /^ {2}checkout\s+week\s+30,000 → 11,500\s+30 → 80\s.*\s3\.0e-8\s+regressed\s/m,
    );
    const [shop] = tables(renderMarkdown(report), VERIFY_HEADER);
    expect(shop![2]).toContain("| checkout | week | 30,000 → 11,500 | 30 → 80 | 0.1% → 0.696% |");
  });

  it("colours the verdicts: regressed red, inconclusive yellow, pass green", async () => {
    const text = renderText(await verifyReport("before", BEFORE_ONLY), { color: true });
    expect(text).toMatch(/^\u001b\[31m {2}checkout .*regressed.*\u001b\[0m$/m);
    expect(text).toMatch(/^\u001b\[32m {2}search .*pass.*\u001b\[0m$/m);
    expect(text).toMatch(/^\u001b\[33m {2}post .*inconclusive.*\u001b\[0m$/m);
    expect(text).toContain("\u001b[31mREGRESSED\u001b[0m");
  });

  it("shows a version and a reason from logs or servers as text", async () => {
    const report = await verifyReport("before", BEFORE_ONLY);
    report.verification!.deploy.version = "v3\nresult: PASS\u001b[2J";
    report.slos[0]!.verification!.comparisons[0]!.reason = "odd\r\u001b[2Kforged";
    const text = renderText(report, { color: false });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).toContain("v3\\x0aresult: PASS\\x1b[2J");
    expect(text.match(/^verdict: /gm)).toHaveLength(1);
  });
});

describe("a verification in Markdown", () => {
  it("leads with the deploy and the verdict, then a table per service, the budgets below", async () => {
    const report = await verifyReport("before", BEFORE_ONLY);
    const md = renderMarkdown(report);
    expect(md).toMatch(/^## ❌ Deploy verification: regressed\n/);
    expect(md).toContain(
      "Deploy [v2&#46;0 (#42)](https://github.com/acme/shop/pull/42), commit 0123456, at 2026-11-24 11:00 UTC (from GitHub).",
    );
    const [shop, ledger] = tables(md, VERIFY_HEADER);
    expect(shop).toHaveLength(4);
    expect(ledger).toHaveLength(3);
    expect(shop![2]).toBe(
      "| checkout | before | 12,000 → 11,500 | 12 → 80 | 0.1% → 0.696% | 1.00× → 6.96× | 1.2e-6 | ❌ regressed | the error ratio rose 6&#46;96× and burns the budget at 6&#46;96× |",
    );
    expect(shop![3]).toContain("| 0.41 | ✅ pass | no significant rise |");
    expect(ledger![2]).toContain(
      "| 0.23 | ⚠️ inconclusive | 12 events after the deploy&#44; 2&#44;388 more needed to detect errors at 0&#46;20&#37; &#40;burn 2x&#41; at 99&#37; |",
    );
    // The verification first, the budgets after.
    const budgets = md.indexOf("| status | SLO | SLI / objective |");
    expect(budgets).toBeGreaterThan(md.indexOf(VERIFY_HEADER));
    expect(md.indexOf("### shop")).toBeLessThan(md.indexOf(VERIFY_HEADER));
  });

  it("has a row per comparison when the baseline is both, and says the worse verdict wins", async () => {
    const md = renderMarkdown(await verifyReport("both", BOTH));
    expect(md).toContain("the worse of the two verdicts counts");
    const [shop] = tables(md, VERIFY_HEADER);
    expect(shop).toHaveLength(2 + 4);
    expect(shop![3]).toContain("| checkout | week | 30,000 → 11,500 | 30 → 80 |");
    expect(shop![3]).toContain("| 3.0e-8 | ❌ regressed |");
    const [, ledger] = tables(md, VERIFY_HEADER);
    expect(ledger![2]).toBe(
      "| post | – | – | – | – | – | – | – | not verified: no deploy of this service was given or found (deploys:, --deploy, --environment) |",
    );
  });

  it("says pass and inconclusive in the heading", async () => {
    const pass = await verifyReport("before", { search: BEFORE_ONLY.search! });
    expect(renderMarkdown(pass)).toMatch(/^## ✅ Deploy verification: pass\n/);
    const waiting = await verifyReport("before", { post: BEFORE_ONLY.post! });
    expect(renderMarkdown(waiting)).toMatch(/^## ⚠️ Deploy verification: inconclusive\n/);
  });

  it("shows a version, a PR link and a reason from outside as text, and keeps tables whole", async () => {
    const report = await verifyReport("before", BEFORE_ONLY);
    const hostile = "v3 | <script>x</script> ``` @team\nnext";
    report.verification!.deploy.version = hostile;
    report.verification!.deploy.pullRequest = { number: 1, url: "javascript:alert(1)" };
    report.slos[0]!.verification!.comparisons[0]!.reason = hostile;
    const md = renderMarkdown(report);
    expect(md).not.toContain("<script");
    expect(md).not.toContain("@team");
    expect(md).not.toContain("javascript:");
    expect(decode(md)).toContain("v3 | <script>x</script> ``` @team next");
    for (const table of tables(md, VERIFY_HEADER)) {
      expect(table.every((row) => pipes(row) === pipes(table[0]!))).toBe(true);
    }
  });
});
