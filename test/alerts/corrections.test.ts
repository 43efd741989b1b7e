/**
 * Alerts and corrections: an alert sent while a correction is active, or
 * within its long window after one ended, says so: the Alertmanager
 * annotations carry the correction's state, reason, category and period,
 * and the webhook's message a sentence. Checked on a real Alertmanager
 * (what it holds, as GET /api/v2/alerts answers) and on a webhook server.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertAnnotations, createAlertmanagerNotifier } from "../../src/alerts/alertmanager.js";
import { alertCorrection } from "../../src/alerts/corrections.js";
import { issueBody } from "../../src/alerts/github-issue.js";
import { notifyTargets } from "../../src/alerts/notify-targets.js";
import type { AlertSubject } from "../../src/alerts/subjects.js";
import { planTargets } from "../../src/alerts/targets.js";
import { webhookMessage } from "../../src/alerts/webhook.js";
import { ALERT_NAME } from "../../src/conventions.js";
import type { CorrectionSpec } from "../../src/definition/model.js";
import { type RunningServer, requireBinaries, startAlertmanager } from "../support/servers.js";
import { evaluateCases } from "./support.js";

const available = await requireBinaries(["prometheus-alertmanager"], "Alertmanager target");

const HOUR = 3_600_000;
const AT = Date.parse("2026-11-22T02:00:00Z");

function correction(
  startIso: string,
  hours: number,
  extra: Partial<CorrectionSpec> = {},
): CorrectionSpec {
  return {
    start: startIso,
    startMs: Date.parse(startIso),
    durationMs: hours * HOUR,
    duration: `${hours}h`,
    timeZone: "UTC",
    category: "maintenance",
    reason: "DB upgrade <b>v2</b>\n@here",
    at: { file: "slos/shop.yaml", line: 3, col: 5 },
    ...extra,
  };
}

/** The evaluated subjects at AT, each SLO's corrections set on its definition. */
async function subjectsWith(corrections: CorrectionSpec[], atMs = AT, url = "http://127.0.0.1:9") {
  const { subjects } = await evaluateCases(
    [
      {
        name: "checkout",
        firing: "page",
        notify: [{ type: "alertmanager", url, severities: ["page", "ticket"] }],
      },
    ],
    atMs,
  );
  return subjects.map((s): AlertSubject => ({ ...s, slo: { ...s.slo, corrections } }));
}

describe("which correction an alert is about", () => {
  it("one active at the evaluation instant, with its whole period", async () => {
    const [subject] = await subjectsWith([correction("2026-11-22T01:00:00Z", 2)]);
    expect(alertCorrection(subject!, "page", AT)).toEqual({
      state: "active",
      reason: "DB upgrade <b>v2</b>\n@here",
      category: "maintenance",
      startMs: Date.parse("2026-11-22T01:00:00Z"),
      endMs: Date.parse("2026-11-22T03:00:00Z"),
    });
  });

  it("one that ended within the severity's longest long window (the page's 6h), else none", async () => {
    const [recent] = await subjectsWith([correction("2026-11-21T21:00:00Z", 2)]);
    expect(alertCorrection(recent!, "page", AT)?.state).toBe("ended");
    const [old] = await subjectsWith([correction("2026-11-21T10:00:00Z", 2)]);
    expect(alertCorrection(old!, "page", AT)).toBeNull();
    // The ticket's longest long window is 3d: the same correction is recent to it.
    expect(alertCorrection(old!, "ticket", AT)?.state).toBe("ended");
  });

  it("a recurring one: the occurrence around the instant", async () => {
    const weekly = correction("2026-11-01T01:00:00Z", 2, { rrule: "FREQ=WEEKLY;BYDAY=SU" });
    const [subject] = await subjectsWith([weekly]);
    expect(alertCorrection(subject!, "page", AT)).toMatchObject({
      state: "active",
      startMs: Date.parse("2026-11-22T01:00:00Z"),
    });
  });

  it("the webhook's message says it, escaped for Slack", async () => {
    const [subject] = await subjectsWith([correction("2026-11-22T01:00:00Z", 2)]);
    const text = webhookMessage(
      {
        kind: "fired",
        key: "shop/checkout",
        current: { severity: "page", since: new Date(AT).toISOString() },
      },
      subject!,
    );
    expect(text).toContain(
      "\nA correction is active: maintenance, DB upgrade &lt;b&gt;v2&lt;/b&gt; @\u200dhere, 2026-11-22 01:00 → 03:00 UTC: its events are not counted.",
    );
  });

  it("the GitHub issue says it, the reason escaped for Markdown", async () => {
    const [subject] = await subjectsWith([correction("2026-11-22T01:00:00Z", 2)]);
    const body = issueBody(subject!, "page", new Date(AT).toISOString());
    expect(body).toContain(
      "A correction is active: maintenance, DB upgrade &#60;b&#62;v2&#60;&#47;b&#62; &#64;here, 2026-11-22 01:00 → 03:00 UTC: its events are not counted.",
    );
  });

  it("says nothing without a correction", async () => {
    const [subject] = await subjectsWith([]);
    const annotations = alertAnnotations(subject!, "page", true);
    expect(Object.keys(annotations).filter((k) => k.startsWith("correction"))).toEqual([]);
  });
});

describe.skipIf(!available)("corrections in the alerts a real Alertmanager holds", () => {
  let am: RunningServer;
  beforeAll(async () => {
    am = await startAlertmanager();
  });
  afterAll(async () => {
    await am?.stop();
  });

  it("an alert sent during a correction carries its state, reason, category and period", async () => {
    // Alertmanager holds alerts by real time: evaluate at now, with a correction around now.
    const now = Date.now();
    const start = new Date(now - HOUR).toISOString();
    const subjects = await subjectsWith([correction(start, 2)], now, am.url);
    const notifier = createAlertmanagerNotifier(planTargets(subjects)[0]!, {
      ttlMs: HOUR,
      timeoutMs: 2000,
      retries: 1,
    });
    const [outcome] = await notifyTargets([notifier], { atMs: now, nowMs: now, dryRun: false });
    expect(outcome!.error).toBeNull();
    const response = await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22${ALERT_NAME}%22`);
    const [alert] = (await response.json()) as { annotations: Record<string, string> }[];
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(alert!.annotations).toMatchObject({
      correction: "active",
      correction_reason: "DB upgrade <b>v2</b> @here",
      correction_category: "maintenance",
      correction_start: iso(Date.parse(start)),
      correction_end: iso(Date.parse(start) + 2 * HOUR),
    });
    expect(alert!.annotations.description).toMatch(
      /A correction is active: maintenance, DB upgrade <b>v2<\/b> @here, .* UTC: its events are not counted\.$/,
    );
  });
});
