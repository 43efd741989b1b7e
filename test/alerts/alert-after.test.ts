/**
 * `slo alerts` on an OpenSLO file whose page condition has alertAfter 5m,
 * delivering to a real Alertmanager. Every request fails from BURN on; the
 * 1h window burns beyond 14.4 from 9 minutes in (55 of 360 requests). At 12
 * minutes nothing is sent (the condition has held 3 minutes: pending); at
 * 15 the page arrives, labelled with the severity as the file wrote it
 * (sev1) and slo's own page in slo_severity.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERT_NAME } from "../../src/conventions.js";
import { runCli } from "../support/cli.js";
import { type RunningServer, requireBinaries, startAlertmanager } from "../support/servers.js";

const available = await requireBinaries(["prometheus-alertmanager"], "alertAfter on Alertmanager");

const MIN = 60_000;
// The burn starts here: every request fails from then on.
const BURN = Date.parse("2026-11-20T12:00:00Z");

/** A request every 10 seconds for two hours before the burn and twenty minutes into it. */
function logLines(): string {
  const lines: string[] = [];
  for (let t = BURN - 120 * MIN; t < BURN + 20 * MIN; t += 10_000) {
    const status = t >= BURN ? 500 : 200;
    lines.push(JSON.stringify({ t: new Date(t).toISOString(), msg: "request done", status }));
  }
  return `${lines.join("\n")}\n`;
}

function sloFile(alertmanagerUrl: string): string {
  return `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: shop-logs
spec:
  type: Logs
  connectionDetails:
    paths: [shop.ndjson]
    timestamp: t
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: oncall
  annotations:
    slo/url: ${alertmanagerUrl}
spec:
  target: alertmanager
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page-fast
spec:
  alertWhenNoData: false
  alertWhenResolved: true
  alertWhenBreaching: true
  conditions:
    - kind: AlertCondition
      metadata:
        name: fast-burn
      spec:
        severity: sev1
        condition:
          kind: burnrate
          op: gt
          threshold: 14.4
          lookbackWindow: 1h
          alertAfter: 5m
  notificationTargets:
    - targetRef: oncall
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
  annotations:
    slo/min-events: "1"
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            metricSourceRef: shop-logs
            spec:
              query: '| json | status >= 500'
        total:
          metricSource:
            metricSourceRef: shop-logs
            spec:
              query: '| json'
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
  alertPolicies:
    - alertPolicyRef: page-fast
`;
}

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

describe.skipIf(!available)("alertAfter, on a real Alertmanager", () => {
  let am: RunningServer;
  let dir: string;
  beforeAll(async () => {
    am = await startAlertmanager();
    dir = mkdtempSync(join(tmpdir(), "slo-alert-after-"));
    writeFileSync(join(dir, "shop.ndjson"), logLines());
    writeFileSync(join(dir, "shop.yaml"), sloFile(am.url));
  });
  afterAll(async () => {
    await am?.stop();
  });

  async function alertsInAlertmanager(): Promise<AmAlert[]> {
    const response = await fetch(`${am.url}/api/v2/alerts`);
    return ((await response.json()) as AmAlert[]).filter((a) => a.labels.alertname === ALERT_NAME);
  }

  async function runAt(command: "alerts" | "check", minutes: number, file = "shop.yaml") {
    const at = new Date(BURN + minutes * MIN).toISOString();
    const state = command === "alerts" ? ["--state", join(dir, `${file}.state.json`)] : [];
    return runCli([command, join(dir, file), "--at", at, ...state, "--format", "json"], {
      cwd: dir,
    });
  }

  it("sends nothing while the condition has held less than alertAfter, then pages with the severity as written", async () => {
    const early = await runAt("alerts", 12);
    expect(early.code).toBe(0);
    expect(JSON.parse(early.stdout).firing).toEqual([]);
    expect(await alertsInAlertmanager()).toEqual([]);
    // slo check says why: 1h and 5m both burn beyond 14.4, but for 3 minutes only.
    const check = await runAt("check", 12);
    const [alert] = JSON.parse(check.stdout).slos[0].alerts;
    expect(alert).toMatchObject({ long: "1h", short: "5m", firing: false, pending: true });
    expect(alert.burnRateShort).toBeGreaterThan(14.4);

    const late = await runAt("alerts", 15);
    expect(late.code).toBe(0);
    expect(JSON.parse(late.stdout).firing).toHaveLength(1);
    const delivered = await alertsInAlertmanager();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.labels).toMatchObject({
      service: "shop",
      slo: "checkout",
      severity: "sev1",
      slo_severity: "page",
    });
    expect(delivered[0]!.status.state).toBe("active");
  });

  it("the same condition with alertAfter 0m pages 12 minutes in (a control for the test above)", async () => {
    const text = sloFile(am.url)
      .replace("alertAfter: 5m", "alertAfter: 0m")
      .replace("name: checkout\n", "name: checkout-now\n");
    writeFileSync(join(dir, "now.yaml"), text);
    const early = await runAt("alerts", 12, "now.yaml");
    expect(early.code).toBe(0);
    expect(JSON.parse(early.stdout).firing).toHaveLength(1);
    const delivered = await alertsInAlertmanager();
    expect(delivered.map((a) => a.labels.slo).sort()).toEqual(["checkout", "checkout-now"]);
  });
});
