/**
 * `slo alerts` for a grouped SLO (groupBy): one alert per group. On a real
 * Alertmanager each group's alert carries the group's labels and
 * `slo_group`, and the state read back from Alertmanager is per group, so
 * one group resolving leaves the other firing; the state file of a webhook
 * is keyed per group likewise, and its message names the group; on the
 * fake GitHub (checked against GitHub's OpenAPI description) each group
 * gets its own issue, the group's value escaped in it.
 */

import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertmanagerNotifier } from "../../src/alerts/alertmanager.js";
import { createGitHubIssueNotifier } from "../../src/alerts/github-issue.js";
import { notifyTargets } from "../../src/alerts/notify-targets.js";
import { AlertStateStore } from "../../src/alerts/state-file.js";
import { planTargets } from "../../src/alerts/targets.js";
import { createWebhookNotifier } from "../../src/alerts/webhook.js";
import { octokitIssueApi } from "../../src/cli/github-issues.js";
import { ALERT_NAME } from "../../src/conventions.js";
import type { NotifyTarget } from "../../src/definition/model.js";
import { createGitHubClient } from "../../src/github/client.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";
import { startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { type RunningServer, requireBinaries, startAlertmanager } from "../support/servers.js";
import { evaluateCases, type Firing } from "./support.js";

const AT = Date.parse("2026-11-24T12:00:00Z");
const BOTH = ["page", "ticket"] as ("page" | "ticket")[];

async function subjectsOf(groups: Record<string, Firing>, notify: NotifyTarget[], atMs = AT) {
  const { subjects } = await evaluateCases(
    [{ name: "checkout", firing: "none", groups, notify, labels: { team: "payments" } }],
    atMs,
  );
  return subjects;
}

const available = await requireBinaries(["prometheus-alertmanager"], "Alertmanager (groupBy)");

describe.skipIf(!available)("grouped alerts on a real Alertmanager", () => {
  let am: RunningServer;
  beforeAll(async () => {
    am = await startAlertmanager(
      "route: {receiver: none, group_by: [alertname, service, slo, action]}\nreceivers: [{name: none}]\n",
    );
  });
  afterAll(async () => {
    await am?.stop();
  });

  async function run(groups: Record<string, Firing>) {
    const atMs = Date.now();
    const subjects = await subjectsOf(
      groups,
      [{ type: "alertmanager", url: am.url, severities: BOTH }],
      atMs,
    );
    const notifier = createAlertmanagerNotifier(planTargets(subjects)[0]!, {
      ttlMs: 3_600_000,
      timeoutMs: 2000,
      retries: 0,
    });
    const [outcome] = await notifyTargets([notifier], { atMs, nowMs: Date.now(), dryRun: false });
    return outcome!;
  }

  async function active() {
    const response = await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22${ALERT_NAME}%22`);
    const alerts = (await response.json()) as {
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
    return alerts.sort((a, b) => (a.labels.action! < b.labels.action! ? -1 : 1));
  }

  it("one alert per firing group, with the group's labels; a group resolving leaves the other firing", async () => {
    const first = await run({ CheckBalance: "page", Transfer: "ticket", Browse: "none" });
    expect(first.error).toBeNull();
    expect(first.delivered.map((c) => [c.kind, c.key])).toEqual([
      ["fired", 'shop/checkout{action="CheckBalance"}|page'],
      ["fired", 'shop/checkout{action="Transfer"}|ticket'],
    ]);
    const alerts = await active();
    expect(alerts.map((a) => a.labels)).toEqual([
      {
        alertname: ALERT_NAME,
        service: "shop",
        slo: "checkout",
        action: "CheckBalance",
        slo_group: '{action="CheckBalance"}',
        severity: "page",
        slo_severity: "page",
        team: "payments",
      },
      {
        alertname: ALERT_NAME,
        service: "shop",
        slo: "checkout",
        action: "Transfer",
        slo_group: '{action="Transfer"}',
        severity: "ticket",
        slo_severity: "ticket",
        team: "payments",
      },
    ]);
    expect(alerts[0]!.annotations.summary).toMatch(
      /^shop\/checkout\{action="CheckBalance"\} is burning its error budget/,
    );

    // The state read back from Alertmanager is per group: only CheckBalance resolves.
    const second = await run({ CheckBalance: "none", Transfer: "ticket", Browse: "none" });
    expect(second.delivered.map((c) => [c.kind, c.key])).toEqual([
      ["resolved", 'shop/checkout{action="CheckBalance"}|page'],
      ["unchanged", 'shop/checkout{action="Transfer"}|ticket'],
    ]);
    expect((await active()).map((a) => a.labels.action)).toEqual(["Transfer"]);
  });
});

describe("grouped alerts to a webhook: the state file keyed per group", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer(() => ({ status: 200, body: "ok" }));
    dir = await mkdtemp(join(tmpdir(), "slo-grouped-webhook-"));
  });
  afterAll(async () => {
    await server.close();
  });

  async function run(groups: Record<string, Firing>) {
    const subjects = await subjectsOf(groups, [
      { type: "webhook", url: `${server.url}/hook`, severities: BOTH },
    ]);
    const store = await AlertStateStore.open(join(dir, "state.json"));
    const notifier = createWebhookNotifier(planTargets(subjects)[0]!, {
      store,
      timeoutMs: 1000,
      retries: 0,
    });
    const [outcome] = await notifyTargets([notifier], { atMs: AT, nowMs: AT, dryRun: false });
    return outcome!;
  }
  const texts = () => server.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);

  it("each group fires and resolves on its own, and the message names the group", async () => {
    await run({ CheckBalance: "page", "<Transfer>": "page" });
    expect(texts()).toEqual([
      expect.stringMatching(
        /^:rotating_light: \*PAGE\* \*shop \/ checkout\{action="&lt;Transfer&gt;"\}\*/,
      ),
      expect.stringMatching(
        /^:rotating_light: \*PAGE\* \*shop \/ checkout\{action="CheckBalance"\}\*/,
      ),
    ]);
    const resolved = await run({ CheckBalance: "none", "<Transfer>": "page" });
    expect(resolved.delivered.map((c) => [c.kind, c.key])).toEqual([
      ["resolved", 'shop/checkout{action="CheckBalance"}'],
    ]);
    expect(texts().slice(2)).toEqual([
      expect.stringMatching(
        /^:white_check_mark: \*RESOLVED\* \(was PAGE\) \*shop \/ checkout\{action="CheckBalance"\}\*/,
      ),
    ]);
    // A rerun: the other group is still recorded as firing, nothing is sent.
    await run({ CheckBalance: "none", "<Transfer>": "page" });
    expect(server.requests).toHaveLength(3);
  });
});

describe("grouped alerts as GitHub issues", () => {
  const TOKEN = "ghs_groupedIssueToken123";
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub({ token: TOKEN });
  });
  afterAll(async () => {
    expect(github.invalid).toEqual([]);
    await github.close();
  });

  async function run(groups: Record<string, Firing>) {
    const subjects = await subjectsOf(groups, [{ type: "github-issue", severities: BOTH }]);
    const client = createGitHubClient({
      token: TOKEN,
      baseUrl: github.url,
      log: { info: () => {}, warning: () => {} },
      throttle: false,
      retries: 0,
    });
    const notifier = createGitHubIssueNotifier(
      planTargets(subjects)[0]!,
      octokitIssueApi(client, "acme", "shop"),
    );
    const [outcome] = await notifyTargets([notifier], { atMs: AT, nowMs: AT, dryRun: false });
    return outcome!;
  }
  const alertIssues = () => github.issues.filter((i) => i.labels.includes("slo-alert"));

  it("one issue per group, the value escaped; one group resolving closes only its issue", async () => {
    const nasty = "Pay`ment|<b>";
    await run({ CheckBalance: "page", [nasty]: "ticket" });
    const titles = alertIssues()
      .map((i) => i.title)
      .sort();
    expect(titles).toEqual([
      'SLO alert: shop/checkout{action="CheckBalance"} is burning its error budget',
      'SLO alert: shop/checkout{action="Pay`ment|<b>"} is burning its error budget',
    ]);
    const issue = alertIssues().find((i) => i.title.includes("Pay"))!;
    expect(issue.body).toContain(
      `<!-- slo-alert:${encodeURIComponent('shop/checkout{action="Pay`ment|<b>"}')} -->`,
    );
    expect(issue.body).not.toContain("<b>");
    expect(issue.body).not.toMatch(/`ment/);
    await run({ CheckBalance: "none", [nasty]: "ticket" });
    const open = alertIssues().filter((i) => i.state === "open");
    expect(open.map((i) => i.title)).toEqual([titles[1]]);
  });
});
