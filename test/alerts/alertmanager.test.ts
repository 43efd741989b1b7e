/**
 * A real Alertmanager (Debian's prometheus-alertmanager): alerts arrive with
 * the right labels and annotations, a rerun only refreshes them, a resolved
 * alert is cleared, and a webhook receiver pointed at a local server shows
 * what Alertmanager delivers for both. A down Alertmanager gets bounded
 * retries and a clear error.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertmanagerNotifier } from "../../src/alerts/alertmanager.js";
import { notifyTargets } from "../../src/alerts/notify-targets.js";
import { planTargets } from "../../src/alerts/targets.js";
import { ALERT_NAME } from "../../src/conventions.js";
import { refusingUrl, startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { type RunningServer, requireBinaries, startAlertmanager } from "../support/servers.js";
import { evaluateCases, type Firing } from "./support.js";

const available = await requireBinaries(["prometheus-alertmanager"], "Alertmanager target");

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

interface AmNotification {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

describe.skipIf(!available)("the Alertmanager target, on a real Alertmanager", () => {
  let am: RunningServer;
  let receiver: TestServer;
  const fast = { initialMs: 20, maxMs: 50 };

  beforeAll(async () => {
    receiver = await startTestServer(() => ({ status: 200 }));
    am = await startAlertmanager(
      [
        "route: {receiver: hook, group_by: [alertname, service, slo, severity], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}",
        `receivers: [{name: hook, webhook_configs: [{url: "${receiver.url}/alertmanager", send_resolved: true}]}]`,
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await am?.stop();
    await receiver?.close();
  });

  async function run(firing: Record<string, Firing>, url = am.url, atMs = Date.now()) {
    const { subjects } = await evaluateCases(
      Object.entries(firing).map(([name, f]) => ({
        name,
        firing: f,
        labels: { team: "payments", "app.kubernetes.io/name": "shop" },
        runbook: "https://runbooks.example/shop",
        description: "Shop answers",
        pageLabels: { route: "oncall", severity: "pageteam", slo_severity: "cannot-override" },
        notify: [
          {
            type: "alertmanager" as const,
            url,
            severities: ["page", "ticket"] as ("page" | "ticket")[],
          },
        ],
      })),
      atMs,
    );
    const [plan] = planTargets(subjects);
    const notifier = createAlertmanagerNotifier(plan!, {
      ttlMs: 3_600_000,
      timeoutMs: 2000,
      retries: 2,
      backoff: fast,
      generatorUrl: "https://github.test/acme/shop/actions/runs/1",
    });
    const [outcome] = await notifyTargets([notifier], { atMs, nowMs: Date.now(), dryRun: false });
    return outcome!;
  }

  async function active(): Promise<AmAlert[]> {
    const response = await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22${ALERT_NAME}%22`);
    const alerts = (await response.json()) as AmAlert[];
    return alerts.sort((a, b) => (a.labels.slo! < b.labels.slo! ? -1 : 1));
  }

  /** Notifications Alertmanager delivered to the receiver, waited for with a deadline. */
  async function delivered(match: (n: AmNotification) => boolean): Promise<AmNotification> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = receiver.requests.map((r) => JSON.parse(r.body) as AmNotification).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no such notification; got ${receiver.requests.map((r) => r.body).join("\n")}\nAlertmanager log:\n${am.log()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("sends firing alerts with the identity labels, the SLO's labels and the burn rates", async () => {
    const at = Date.now();
    const outcome = await run({ checkout: "page", search: "ticket", browse: "none" }, am.url, at);
    expect(outcome.error).toBeNull();
    expect(outcome.delivered.map((c) => [c.kind, c.key])).toEqual([
      ["fired", "shop/checkout|page"],
      ["fired", "shop/search|ticket"],
    ]);
    const alerts = await active();
    expect(alerts.map((a) => a.labels)).toEqual([
      {
        alertname: ALERT_NAME,
        service: "shop",
        slo: "checkout",
        severity: "pageteam",
        slo_severity: "page",
        team: "payments",
        app_kubernetes_io_name: "shop",
        route: "oncall",
      },
      {
        alertname: ALERT_NAME,
        service: "shop",
        slo: "search",
        severity: "ticket",
        slo_severity: "ticket",
        team: "payments",
        app_kubernetes_io_name: "shop",
      },
    ]);
    const page = alerts[0]!;
    expect(page.status.state).toBe("active");
    expect(page.startsAt).toBe(new Date(at).toISOString());
    expect(Date.parse(page.endsAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(page.annotations).toMatchObject({
      summary:
        "shop/checkout is burning its error budget: 50.00× over 1h and 50.00× over 5m (threshold 14.40×)",
      description: "Shop answers. Budget left 50.0% of 30d, SLI 99.95% (objective 99.9%).",
      runbook_url: "https://runbooks.example/shop",
      burn_rate_1h: "50.0",
      burn_rate_5m: "50.0",
      burn_rate_threshold_1h_5m: "14.4",
      error_budget_remaining: "50.0%",
    });
    const note = await delivered(
      (n) => n.status === "firing" && n.alerts.some((a) => a.labels.slo === "checkout"),
    );
    expect(note.alerts[0]!.labels.slo_severity).toBe("page");
  });

  it("a rerun refreshes what still fires and keeps when it started", async () => {
    const before = await active();
    const outcome = await run({ checkout: "page", search: "ticket", browse: "none" });
    expect(outcome.changes.map((c) => c.kind)).toEqual(["unchanged", "unchanged"]);
    const after = await active();
    expect(after.map((a) => [a.labels.slo, a.startsAt])).toEqual(
      before.map((a) => [a.labels.slo, a.startsAt]),
    );
  });

  it("a resolved alert is sent with endsAt and cleared; the receiver hears it resolved", async () => {
    const outcome = await run({ checkout: "none", search: "ticket", browse: "none" });
    expect(outcome.delivered.map((c) => [c.kind, c.key])).toEqual([
      ["resolved", "shop/checkout|page"],
      ["unchanged", "shop/search|ticket"],
    ]);
    expect((await active()).map((a) => a.labels.slo)).toEqual(["search"]);
    const note = await delivered(
      (n) => n.status === "resolved" && n.alerts.some((a) => a.labels.slo === "checkout"),
    );
    expect(note.alerts[0]!.status).toBe("resolved");
    // The state comes from Alertmanager itself: a further run has nothing to resolve.
    const again = await run({ checkout: "none", search: "ticket", browse: "none" });
    expect(again.changes.map((c) => c.kind)).toEqual(["unchanged"]);
  });

  it("an SLO whose source failed is neither refreshed nor resolved", async () => {
    const outcome = await run({ checkout: "none", search: "error", browse: "none" });
    expect(outcome.changes).toEqual([]);
    expect((await active()).map((a) => a.labels.slo)).toEqual(["search"]);
  });

  it("Alertmanager down: bounded retries, then a clear delivery error", async () => {
    const url = await refusingUrl();
    const started = Date.now();
    const outcome = await run({ checkout: "page" }, url);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.error?.code).toBe("delivery");
    expect(outcome.error?.message).toContain(
      `alertmanager at ${url}/api/v2/alerts: connection refused`,
    );
    expect(outcome.error?.message).toMatch(/connection refused \(gave up after 3 attempts\)/);
    expect(outcome.delivered).toEqual([]);
  });
});
