/** examples/nginx/web.yaml checked by the real CLI: an nginx access log as a logs source, counted by hand. */

import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";

describe("examples/nginx/web.yaml", () => {
  it("counts the API's requests, 5xx and slow answers from the access log", async () => {
    const r = await runCli([
      "check",
      "examples/nginx/web.yaml",
      "--at",
      "2026-11-24T12:00:00Z",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    const report = JSON.parse(r.stdout) as SloReport;
    const [availability, latency] = report.slos;
    // 8 /api/ requests; 502 and 503 on /api/payments
    expect(availability!.events).toMatchObject({ total: 8, good: 6 });
    expect(availability!.breakdown).toEqual([{ value: "/api/payments", count: 2 }]);
    // over 300ms: 1.502 s (/api/payments) and 0.391 s (/api/orders)
    expect(latency!.events).toMatchObject({ total: 8, good: 6 });
    expect(r.code).toBe(1);
  });
});
