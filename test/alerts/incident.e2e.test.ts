/**
 * The synthetic three-day incident (see incident.ts), stepped through
 * `slo alerts --at` as a five-minute schedule would, with every target at
 * once: a real Alertmanager (whose own webhook receiver shows what it
 * delivers), a Slack-compatible webhook with a state file, and GitHub issues
 * on the fake GitHub. The page alert starts and stops at the minutes worked
 * out by hand; the ticket alert follows; nothing is ever sent twice.
 */

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import { referenceAlertFires } from "../engine/reference.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { type RunningServer, requireBinaries, startAlertmanager } from "../support/servers.js";
import { DAY, EXPECTED, HOUR, incidentEvents, MINUTE, writeIncident } from "./incident.js";

const available = await requireBinaries(["prometheus-alertmanager"], "three-day incident");
const TOKEN = "ghs_incidentToken456";

interface AmAlert {
  labels: Record<string, string>;
  startsAt: string;
}

describe.skipIf(!available)("a three-day incident, stepped through slo alerts --at", () => {
  // Every step is in the past, so Alertmanager treats resolutions as over.
  const S = Math.floor((Date.now() - 81 * HOUR) / MINUTE) * MINUTE;
  let dir: string;
  let sloPath: string;
  let am: RunningServer;
  let amReceiver: TestServer;
  let slack: TestServer;
  let github: FakeGitHub;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slo-incident-"));
    ({ sloPath } = await writeIncident(dir, S));
    amReceiver = await startTestServer(() => ({ status: 200 }));
    slack = await startTestServer(() => ({ status: 200, body: "ok" }));
    github = await startFakeGitHub({ token: TOKEN });
    am = await startAlertmanager(
      [
        "route: {receiver: hook, group_by: [alertname, slo, severity], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}",
        `receivers: [{name: hook, webhook_configs: [{url: "${amReceiver.url}/am", send_resolved: true}]}]`,
        "",
      ].join("\n"),
    );
  }, 60_000);
  afterAll(async () => {
    await am?.stop();
    await amReceiver?.close();
    await slack?.close();
    expect(github?.invalid ?? []).toEqual([]);
    await github?.close();
  });

  async function step(offsetMs: number) {
    const at = new Date(S + offsetMs).toISOString();
    const result = await runCli(
      [
        "alerts",
        sloPath,
        "--at",
        at,
        "--alertmanager",
        am.url,
        "--webhook",
        `${slack.url}/services/T1/B2/secretpart`,
        "--github-issues",
        "--state",
        join(dir, "state.json"),
      ],
      { env: { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop", GITHUB_API_URL: github.url } },
    );
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return result.stdout;
  }

  async function amAlerts(): Promise<AmAlert[]> {
    const response = await fetch(`${am.url}/api/v2/alerts`);
    return (await response.json()) as AmAlert[];
  }
  const slackTexts = () =>
    slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text.split(" is ")[0]);
  const openIssues = () => github.issues.filter((i) => i.state === "open");

  /** The reference evaluator on the raw events: which severities fire at `offset`. */
  function reference(offsetMs: number): string[] {
    const events = incidentEvents(S).map((e) => ({ t: e.t, good: !e.bad }));
    const fires = (severity: string) =>
      DEFAULT_BURN_RATE_WINDOWS.some(
        (r) =>
          r.severity === severity &&
          referenceAlertFires(events, S + offsetMs, r, 0.99, 30 * DAY, 10),
      );
    return ["page", "ticket"].filter(fires);
  }

  it("agrees with the reference evaluator at every step it takes", () => {
    expect(reference(EXPECTED.pageStarts - 30_000)).toEqual([]);
    expect(reference(EXPECTED.pageStarts)).toEqual(["page"]);
    expect(reference(EXPECTED.pageStops - 30_000)).toEqual(["page"]);
    expect(reference(EXPECTED.pageStops)).toEqual([]);
    expect(reference(EXPECTED.ticketStarts - MINUTE)).toEqual([]);
    expect(reference(EXPECTED.ticketStarts)).toEqual(["ticket"]);
    expect(reference(EXPECTED.ticketStops - MINUTE)).toEqual(["ticket"]);
    expect(reference(EXPECTED.ticketStops)).toEqual([]);
  });

  it("the page starts at minute 17:30, not a step earlier, and is sent once", async () => {
    expect(await step(EXPECTED.pageStarts - 30_000)).toContain("no burn-rate alert fires");
    expect(slack.requests).toHaveLength(0);
    expect(await amAlerts()).toEqual([]);

    const out = await step(EXPECTED.pageStarts);
    expect(out).toMatch(
      /^PAGE checkout\/availability: burning 15\.00× over 1h and 50\.00× over 5m/,
    );
    expect(out).toMatch(
      /alertmanager http:\/\/127\.0\.0\.1:\d+\/: sent: fired PAGE checkout\/availability/,
    );
    expect(out).toContain("webhook http://127.0.0.1:");
    expect(out).not.toContain("secretpart");
    expect(slackTexts()).toEqual([":rotating_light: *PAGE* *checkout / availability*"]);
    const alerts = await amAlerts();
    expect(alerts.map((a) => [a.labels.slo, a.labels.severity, a.startsAt])).toEqual([
      ["availability", "page", new Date(S + EXPECTED.pageStarts).toISOString()],
    ]);
    expect(alerts[0]!.labels).toMatchObject({
      team: "payments",
      app_kubernetes_io_name: "checkout",
    });
    expect(openIssues().map((i) => i.title)).toEqual([
      "SLO alert: checkout/availability is burning its error budget",
    ]);
  });

  it("reruns while it fires send nothing new (Alertmanager is only refreshed)", async () => {
    for (const offset of [EXPECTED.pageStops - 30_000]) {
      const out = await step(offset);
      expect(out).toMatch(/webhook [^\n]*: nothing new/);
      expect(out).toMatch(/GitHub issues: nothing new/);
      expect(out).toMatch(/alertmanager [^\n]*: 1 still firing \(refreshed\)/);
    }
    expect(slack.requests).toHaveLength(1);
    expect(github.issues).toHaveLength(1);
    expect(github.comments).toHaveLength(0);
  });

  it("the page stops at minute 88:30 and resolves everywhere", async () => {
    const out = await step(EXPECTED.pageStops);
    expect(out).toContain("no burn-rate alert fires");
    expect(out).toMatch(/alertmanager [^\n]*: sent: resolved PAGE checkout\/availability/);
    expect(slack.requests.at(-1)!.body).toContain(
      ":white_check_mark: *RESOLVED* (was PAGE) *checkout / availability* burns its error budget under the alert thresholds again; budget left 29.7% of 30d",
    );
    expect(await amAlerts()).toEqual([]);
    expect(openIssues()).toEqual([]);
    expect(github.issues[0]!.state_reason).toBe("completed");
  });

  it("the ticket follows at 7h30m and resolves at 76h, four hours after the incident", async () => {
    await step(EXPECTED.ticketStarts - MINUTE);
    expect(slack.requests).toHaveLength(2);
    const out = await step(EXPECTED.ticketStarts);
    expect(out).toMatch(/^TICKET checkout\/availability: burning 3\.02× over 1d/);
    expect(slackTexts().at(-1)).toBe(":warning: *TICKET* *checkout / availability*");
    expect((await amAlerts()).map((a) => a.labels.severity)).toEqual(["ticket"]);
    expect(openIssues()).toHaveLength(1);

    await step(EXPECTED.ticketStops - MINUTE);
    expect(slack.requests).toHaveLength(3);
    await step(EXPECTED.ticketStops);
    expect(slackTexts().at(-1)).toMatch(/^:white_check_mark: \*RESOLVED\* \(was TICKET\)/);
    expect(await amAlerts()).toEqual([]);
    expect(openIssues()).toEqual([]);
    expect(github.issues).toHaveLength(2);
  });

  it("Alertmanager's own receiver heard each alert fire and resolve", async () => {
    const deadline = Date.now() + 20_000;
    const seen = () =>
      amReceiver.requests
        .flatMap(
          (r) =>
            (JSON.parse(r.body) as { alerts: { status: string; labels: Record<string, string> }[] })
              .alerts,
        )
        .map((a) => `${a.labels.severity} ${a.status}`);
    while (Date.now() < deadline && new Set(seen()).size < 4)
      await new Promise((r) => setTimeout(r, 100));
    expect(new Set(seen())).toEqual(
      new Set(["page firing", "page resolved", "ticket firing", "ticket resolved"]),
    );
  });
});
