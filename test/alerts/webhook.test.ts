/**
 * The Slack-compatible webhook against a real local HTTP server: one message
 * per change (never one per run), the state file remembers each delivery as
 * it succeeds, a 5xx gets bounded retries and a clear error without the
 * webhook's secret path, and what was delivered is never sent twice.
 */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notifyTargets } from "../../src/alerts/notify-targets.js";
import { AlertStateStore, readStateFile } from "../../src/alerts/state-file.js";
import { planTargets } from "../../src/alerts/targets.js";
import { createWebhookNotifier, escapeSlack } from "../../src/alerts/webhook.js";
import { startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { evaluateCases, type Firing } from "./support.js";

const SECRET = "T0000/B0000/XXXXsecretXXXX";
const AT = Date.parse("2026-11-24T12:00:00Z");

let server: TestServer;
let dir: string;

beforeEach(async () => {
  server = await startTestServer(() => ({ status: 200, body: "ok" }));
  dir = await mkdtemp(join(tmpdir(), "slo-webhook-"));
});
afterEach(async () => {
  await server.close();
});

async function run(firing: Record<string, Firing>, statePath = join(dir, "state.json")) {
  const url = `${server.url}/services/${SECRET}`;
  const { subjects } = await evaluateCases(
    Object.entries(firing).map(([name, f]) => ({
      name,
      firing: f,
      description: "Answers <!channel> & more",
      notify: [
        { type: "webhook" as const, url, severities: ["page", "ticket"] as ("page" | "ticket")[] },
      ],
    })),
    AT,
  );
  const store = await AlertStateStore.open(statePath);
  const [plan] = planTargets(subjects);
  const notifier = createWebhookNotifier(plan!, {
    store,
    timeoutMs: 1000,
    retries: 2,
    backoff: { initialMs: 10, maxMs: 20 },
  });
  const [outcome] = await notifyTargets([notifier], { atMs: AT, nowMs: AT, dryRun: false });
  return outcome!;
}

const texts = () => server.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);

describe("the webhook target", () => {
  it("posts one message per change to the exact URL, and nothing on a rerun", async () => {
    await run({ checkout: "page", search: "ticket", browse: "none" });
    expect(server.requests.map((r) => r.path)).toEqual([
      `/services/${SECRET}`,
      `/services/${SECRET}`,
    ]);
    expect(server.requests[0]!.headers["content-type"]).toBe("application/json");
    expect(texts()[0]).toBe(
      ":rotating_light: *PAGE* *shop / checkout* is burning its error budget: 50.00× over 1h and 50.00× over 5m (threshold 14.40×); budget left 50.0% of 30d, SLI 99.95% (objective 99.9%).\nAnswers &lt;!channel&gt; &amp; more",
    );
    expect(texts()[1]).toMatch(/^:warning: \*TICKET\* \*shop \/ search\*/);

    await run({ checkout: "page", search: "ticket", browse: "none" });
    await run({ checkout: "page", search: "ticket", browse: "none" });
    expect(server.requests).toHaveLength(2);

    await run({ checkout: "ticket", search: "none", browse: "none" });
    expect(texts().slice(2)).toEqual([
      expect.stringMatching(/^:warning: \*TICKET\* \(was PAGE\) \*shop \/ checkout\*/),
      expect.stringMatching(/^:white_check_mark: \*RESOLVED\* \(was TICKET\) \*shop \/ search\*/),
    ]);
  });

  it("the state file holds a digest of the URL, never the URL", async () => {
    await run({ checkout: "page" });
    const text = await readFile(join(dir, "state.json"), "utf8");
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(server.url);
    const state = await readStateFile(join(dir, "state.json"));
    const [target] = Object.values(state.targets);
    expect(target).toEqual({
      "shop/checkout": {
        severity: "page",
        since: "2026-11-24T12:00:00.000Z",
        sentAt: "2026-11-24T12:00:00.000Z",
      },
    });
  });

  it("5xx: bounded retries, a clear error without the secret, and no double send next run", async () => {
    // The first message goes through; the second meets a failing server on every attempt.
    let n = 0;
    server.respond(() => (n++ === 0 ? { status: 200 } : { status: 503, body: `down ${SECRET}` }));
    const failed = await run({ checkout: "page", search: "page" });
    expect(failed.error?.code).toBe("delivery");
    expect(failed.error?.message).toContain("HTTP 503");
    expect(failed.error?.message).toContain("gave up after 3 attempts");
    expect(failed.error?.message).toMatch(/^webhook at http:\/\/127.0.0.1:\d+\/\*\*\*: HTTP 503/);
    expect(`${failed.error?.message} ${failed.error?.hint}`).not.toContain(SECRET);
    expect(failed.delivered.map((c) => c.key)).toEqual(["shop/checkout"]);
    expect(server.requests).toHaveLength(4);

    server.respond(() => ({ status: 200 }));
    const next = await run({ checkout: "page", search: "page" });
    expect(next.error).toBeNull();
    expect(next.delivered.map((c) => [c.kind, c.key])).toEqual([["fired", "shop/search"]]);
    expect(texts().filter((t) => t.includes("checkout"))).toHaveLength(1);
  });

  it("a damaged state file is an error, never a silent reset", async () => {
    const path = join(dir, "damaged.json");
    await writeFile(path, '{"version": 1, "targets": {"x": {"a": {"severity": "loud"}}}}');
    await expect(AlertStateStore.open(path)).rejects.toMatchObject({
      code: "usage",
      message: expect.stringContaining("not an slo alert state file"),
    });
  });

  it("neutralises mentions that notify a whole channel (Mattermost, Rocket.Chat, Discord)", () => {
    for (const mention of ["@everyone", "@here", "@channel", "@all", "@HERE"]) {
      const text = escapeSlack(`checkout ${mention} down`);
      expect(text).not.toContain(mention);
      // still readable: the @ is followed by an invisible joiner
      expect(text.replace(/\u200d/g, "")).toBe(`checkout ${mention} down`);
    }
    expect(escapeSlack("ops@example.com and @alice")).toBe("ops@example.com and @alice");
  });

  it("escapes what Slack would read as markup", () => {
    expect(escapeSlack("<!here> a & b <http://x|y>")).toBe(
      "&lt;!here&gt; a &amp; b &lt;http://x|y&gt;",
    );
  });
});
