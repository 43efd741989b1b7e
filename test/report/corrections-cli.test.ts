/**
 * Corrections end to end: an SLO file with a correction over the incident's
 * spike hour (test/alerts/incident.ts), through `slo report` on the real
 * logs: the Markdown lists it with the events it excluded, counted by hand
 * from the log, and the HTML shades it on both charts.
 */

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { HOUR, incidentEvents, incidentLog } from "../alerts/incident.js";
import { hasStackTrace, runCli } from "../support/cli.js";

const S = Date.parse("2026-11-20T00:00:00Z");
const AT = new Date(S + 80 * HOUR).toISOString();

describe("slo report with a correction, on real logs", () => {
  let sloPath: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "slo-corrections-cli-"));
    const logPath = join(dir, "checkout.ndjson");
    sloPath = join(dir, "checkout.yaml");
    await writeFile(logPath, incidentLog(S));
    await writeFile(
      sloPath,
      `service: checkout
sources:
  logs: { type: logs, paths: [${JSON.stringify(logPath)}] }
slos:
  - name: availability
    objective: 99%
    window: 30d
    corrections:
      - start: 2026-11-20T00:00:00Z
        duration: 1h
        reason: "Planned failover | <b>drill</b>"
        category: maintenance
    indicator:
      ratio: { source: logs, total: '| json', bad: '| json | status >= 500' }
`,
    );
  });

  it("lists the correction with the events it excluded, as counted in the log", async () => {
    const inside = incidentEvents(S).filter((e) => e.t > S && e.t <= S + HOUR);
    const bad = inside.filter((e) => e.bad).length;
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "markdown"]);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.stdout).toContain(
      `| Planned failover &#124; &#60;b&#62;drill&#60;&#47;b&#62; | maintenance | 2026-11-20 00:00–01:00 UTC | ${inside.length} (${bad} bad) |`,
    );
    expect(result.stdout).toContain(
      `Corrections excluded ${inside.length} events (${bad} bad) from 1 SLO.`,
    );
  });

  it("shades it on the burn-down and the burn-rate charts, wide and narrow", async () => {
    const result = await runCli(["report", sloPath, "--at", AT, "--format", "html"]);
    const shapes = result.stdout.match(/<rect class="correction" /g) ?? [];
    expect(shapes).toHaveLength(4);
    expect(result.stdout).toContain("Planned failover | &lt;b&gt;drill&lt;/b&gt; (maintenance)");
  });
});
