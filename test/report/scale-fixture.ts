/**
 * Reports too big for a comment: 200 SLOs in 8 services through the real
 * pipeline (39 breaching, some warning, two unreadable, two without data),
 * and 2,000 made from it by copying, and the checks that a Markdown body that
 * had to be fitted still renders and still names what breaches.
 */

import { expect } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

export const SERVICES = [
  "payments",
  "checkout",
  "search",
  "accounts",
  "mail",
  "stock",
  "ship",
  "ledger",
];
const PER_SERVICE = 25;

/** Breaching: every fifth SLO but the last of them (39); warning: every seventh that is not breaching. */
function shareOf(index: number): number {
  if (index % 5 === 2 && index !== 197) return 0.01;
  if (index % 7 === 3) return 0.0008;
  return 0.0001;
}

export async function twoHundredSlos(): Promise<SloReport> {
  const reports: SloReport[] = [];
  for (const [s, service] of SERVICES.entries()) {
    const names = Array.from({ length: PER_SERVICE }, (_, i) => `${service}-ep${i}-availability`);
    const shares = Object.fromEntries(names.map((n, i) => [n, shareOf(s * PER_SERVICE + i)]));
    reports.push(await reportOf(`slos/${service}.yaml`, sloYaml(service, names), shares));
  }
  const [first] = reports;
  const report: SloReport = { ...first!, slos: reports.flatMap((r) => r.slos) };
  // Two unreadable and two without data, as a failing source and an empty one leave them.
  for (const i of [11, 161]) {
    Object.assign(report.slos[i]!, {
      status: "error",
      sli: null,
      error: { source: "logs", message: "connection refused" },
    });
  }
  for (const i of [23, 124]) {
    Object.assign(report.slos[i]!, {
      status: "no-data",
      sli: null,
      events: { good: 0, bad: 0, total: 0 },
    });
  }
  return report;
}

/** 2,000 SLOs: ten copies of the 200, each name with its copy's number; `allBreaching` makes every one breach. */
export async function twoThousandSlos(allBreaching = false): Promise<SloReport> {
  const base = await twoHundredSlos();
  const slos: SloReportEntry[] = [];
  const aBreach = base.slos.find((x) => x.status === "breaching")!;
  for (let copy = 0; copy < 10; copy++) {
    for (const e of base.slos) {
      // Shallow copies: renderers only read them.
      const like = allBreaching && e.status !== "breaching" ? aBreach : e;
      slos.push({ ...like, service: e.service, name: `${e.name}-r${copy}` });
    }
  }
  return { ...base, result: "fail", slos };
}

export const notOk = (r: SloReport) => r.slos.filter((s) => s.status !== "ok");
export const breaching = (r: SloReport) => r.slos.filter((s) => s.status === "breaching");

/** What a Markdown reader shows for numeric character references. */
export const decode = (s: string) =>
  s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/** Fences and <details> balanced; no <details> without anything but its summary. */
export function expectWellFormed(markdown: string): void {
  expect((markdown.match(/^\s*```/gm) ?? []).length % 2).toBe(0);
  const opened = (markdown.match(/<details>/g) ?? []).length;
  expect((markdown.match(/<\/details>/g) ?? []).length).toBe(opened);
  expect(markdown).not.toMatch(/<details>\s*(<summary>[^\n]*<\/summary>)?\s*<\/details>/);
}

/** Every breaching SLO's name is shown (as text, references decoded). */
export function expectEveryBreachingNamed(markdown: string, report: SloReport): void {
  const text = decode(markdown);
  const missing = breaching(report)
    .map((s) => s.name)
    .filter((n) => !text.includes(n));
  expect(missing).toEqual([]);
}
