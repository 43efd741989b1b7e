/**
 * What corrections add to the requests of a source that cannot skip events
 * itself (Prometheus, Loki): each window's pieces, a recurring correction's
 * whole periods batched as the buckets of one series (one query_range per
 * kind), the cut ones as windows of their own; and for a logs source, the
 * periods themselves.
 */

import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import { planCorrections } from "../../src/pipeline/correction-windows.js";
import { planSlo } from "../../src/pipeline/requests.js";

const AT = Date.parse("2026-05-20T12:00:00Z");
const HOUR = 3_600_000;

function sloWith(corrections: string) {
  const { services, errors } = loadText(
    "slo.yaml",
    `service: shop
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9" }
corrections:
${corrections}
slos:
  - name: checkout
    objective: 99%
    window: 7d
    indicator:
      ratio: { source: prom, total: req_total, bad: 'req_total{code="500"}' }
`,
    {},
  );
  expect(errors.map((e) => e.format())).toEqual([]);
  return services[0]!.slos[0]!;
}

describe("planCorrections", () => {
  it("batches a daily correction's whole periods into one series, and cuts the rest into windows", () => {
    const slo = sloWith(`  - { start: "2026-01-01 01:00", duration: 2h, rrule: FREQ=DAILY }`);
    const plan = planSlo(slo, "prometheus", AT);
    const windowsBefore = plan.request.windows.length;
    const seriesBefore = plan.request.series.length;
    const corrections = planCorrections(slo, "prometheus", plan.request, [plan.previousRequest]);
    expect(corrections?.skipped).toBe(false);
    const batches = plan.request.series.slice(seriesBefore);
    expect(batches).toEqual([
      {
        key: expect.stringMatching(/^correction-batch:/),
        startMs: Date.parse("2026-05-14T01:00:00Z"),
        stepMs: 2 * HOUR,
        count: (6 * 24) / 2 + 1,
      },
    ]);
    // The 1d window cuts nothing (01:00-03:00 today lies whole inside it): no window of its own either.
    expect(plan.request.windows.length - windowsBefore).toBe(0);
    expect(
      plan.previousRequest.series.filter((s) => s.key.startsWith("correction-batch:")),
    ).toHaveLength(1);
  });

  it("counts a piece a window cuts as a window of its own", () => {
    const slo = sloWith(`  - { start: "2026-05-20T11:00:00Z", duration: 2h }`);
    const plan = planSlo(slo, "prometheus", AT);
    const before = plan.request.windows.map((w) => w.key);
    planCorrections(slo, "prometheus", plan.request, [plan.previousRequest]);
    const added = plan.request.windows.filter((w) => !before.includes(w.key));
    // Every window ends at AT: the period's part inside them is (11:00, 12:00], or less for the short ones.
    expect(added.map((w) => [w.startMs - AT, w.endMs - AT])).toEqual(
      expect.arrayContaining([[-HOUR, 0]]),
    );
    expect(added.every((w) => w.endMs === AT)).toBe(true);
  });

  it("hands a logs source the merged periods instead", () => {
    const slo = sloWith(`  - { start: "2026-05-20T09:00:00Z", duration: 2h }
  - { start: "2026-05-20T10:00:00Z", duration: 2h }`);
    const plan = planSlo(slo, "logs", AT);
    planCorrections(slo, "logs", plan.request, [plan.previousRequest]);
    expect(plan.request.excluded?.periods).toEqual([
      { startMs: Date.parse("2026-05-20T09:00:00Z"), endMs: Date.parse("2026-05-20T12:00:00Z") },
    ]);
    expect(plan.request.excluded?.corrections).toHaveLength(2);
    expect(plan.previousRequest.excluded).toBe(plan.request.excluded);
  });
});
