/**
 * `slo convert --to openslo` keeps what an OpenSLO file says even where slo
 * does nothing with it: the notification targets Alertmanager routes to (their
 * type, description, displayName), alertWhenResolved, an objective's and a
 * Service's displayName and description, the user's annotations, labels
 * written as lists. Each goes OpenSLO -> OpenSLO, and OpenSLO -> native ->
 * OpenSLO, and comes back as written.
 */

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";
import { openSloViolations } from "./openslo-validation.js";

const BOOKINGS = join(ROOT, "test", "fixtures", "openslo", "kept", "bookings.yaml");

type Doc = Record<string, any>;

function documents(dir: string): Doc[] {
  return readdirSync(dir).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Doc),
  );
}

/** The file converted to OpenSLO directly, and through native. */
async function bothWays(): Promise<[string, Doc[]][]> {
  const direct = await convertInto([BOOKINGS], "openslo");
  const native = await convertInto([BOOKINGS], "native");
  const through = await convertInto([native], "openslo");
  return [
    ["openslo -> openslo", documents(direct)],
    ["openslo -> native -> openslo", documents(through)],
  ];
}

function only(docs: Doc[], kind: string): Doc {
  const found = docs.filter((d) => d.kind === kind);
  expect(found.length, kind).toBe(1);
  return found[0]!;
}

/** Each AlertPolicy's targets, by the severity of its condition: a reference resolved to its document. */
function targetsBySeverity(docs: Doc[]): Record<string, Doc[]> {
  const byName = (kind: string, name: string) =>
    docs.find((d) => d.kind === kind && d.metadata.name === name);
  const out: Record<string, Doc[]> = {};
  for (const policy of only(docs, "SLO").spec.alertPolicies as Doc[]) {
    const p = policy.alertPolicyRef ? byName("AlertPolicy", policy.alertPolicyRef)! : policy;
    const severity = p.spec.conditions[0].spec.severity as string;
    out[severity] = (p.spec.notificationTargets as Doc[]).map((t) =>
      t.targetRef ? byName("AlertNotificationTarget", t.targetRef)! : t,
    );
  }
  return out;
}

describe("slo convert --to openslo keeps what an OpenSLO file says", () => {
  it("notification targets slo does not deliver to come back as AlertNotificationTarget objects with their type, description and displayName", async () => {
    for (const [how, docs] of await bothWays()) {
      const targets = targetsBySeverity(docs);
      const shape = (t: Doc) => ({
        name: t.metadata.name,
        displayName: t.metadata.displayName,
        target: t.spec.target,
        description: t.spec.description,
      });
      expect(targets.page!.map(shape), how).toEqual([
        {
          name: "bookings-pager",
          displayName: "Bookings on-call",
          target: "pagerduty",
          description: "PagerDuty service BOOKINGS-P1",
        },
      ]);
      expect(targets.ticket!.map(shape), how).toEqual([
        {
          name: "bookings-mail",
          displayName: undefined,
          target: "email",
          description: "bookings-oncall@example.org",
        },
      ]);
      expect(openSloViolations([{ file: how, docs }]), how).toEqual([]);
    }
  });

  it("the converted files read back to the same SLO, alerts routed by the same notification_target label", async () => {
    const original = await evaluate([BOOKINGS]);
    const { set } = await loadSpec([BOOKINGS], { env: {}, cwd: ROOT });
    const labels = set.services[0]!.slos[0]!.alerting;
    expect(labels.page.labels.notification_target).toBe("bookings-pager");
    expect(labels.ticket.labels.notification_target).toBe("bookings-mail");
    const native = await convertInto([BOOKINGS], "native");
    for (const dir of [
      await convertInto([BOOKINGS], "openslo"),
      native,
      await convertInto([native], "openslo"),
    ]) {
      expect(meaning(await evaluate([dir])), dir).toEqual(meaning(original));
      const back = (await loadSpec([dir], { env: {}, cwd: ROOT })).set.services[0]!.slos[0]!;
      expect(back.alerting.page.labels, dir).toEqual(labels.page.labels);
      expect(back.alerting.ticket.labels, dir).toEqual(labels.ticket.labels);
    }
  });

  it("alertWhenResolved: false is written back as false, through native too", async () => {
    for (const [how, docs] of await bothWays()) {
      const bySeverity: Record<string, unknown> = {};
      for (const policy of only(docs, "SLO").spec.alertPolicies as Doc[])
        bySeverity[policy.spec.conditions[0].spec.severity] = policy.spec.alertWhenResolved;
      expect(bySeverity, how).toEqual({ page: true, ticket: false });
    }
  });

  it("an objective's displayName, and a Service's displayName and description, are kept", async () => {
    for (const [how, docs] of await bothWays()) {
      expect(only(docs, "SLO").spec.objectives[0].displayName, how).toBe("Nearly all bookings");
      const service = only(docs, "Service");
      expect(service.metadata.displayName, how).toBe("Bookings API");
      expect(service.spec.description, how).toBe("Takes and changes table bookings");
    }
  });

  it("an SLO's own annotations (not slo/) are written back as written", async () => {
    for (const [how, docs] of await bothWays()) {
      expect(only(docs, "SLO").metadata.annotations, how).toEqual({
        "example.org/owner": "bookings-team",
        "runbook.example.org/page": "https://runbooks.example.org/bookings",
      });
    }
  });

  it("labels written as lists are written back as lists (OpenSLO -> OpenSLO; native labels are strings, the list joined with ',')", async () => {
    const docs = documents(await convertInto([BOOKINGS], "openslo"));
    expect(only(docs, "SLO").metadata.labels).toEqual({
      owner: ["bookings"],
      tier: ["backend", "gold"],
    });
    const { set } = await loadSpec([BOOKINGS], { env: {}, cwd: ROOT });
    expect(set.services[0]!.slos[0]!.labels.tier).toBe("backend,gold");
  });

  it.each([
    ["    target: pagerduty\n", "a route target needs name"],
    [
      "    name: pager\n",
      "a route target needs name (the notification_target label's value) and target",
    ],
    [
      "    name: pager\n    target: pagerduty\n    url: https://example.org/hook\n",
      "a route target has no url",
    ],
  ])(
    "a native route target that is not whole is an error at its line (%#)",
    async (fields, message) => {
      const dir = mkdtempSync(join(tmpdir(), "slo-route-"));
      const file = join(dir, "svc.yaml");
      writeFileSync(
        file,
        `service: svc\nsources:\n  p:\n    type: prometheus\n    url: http://127.0.0.1:9\nslos:\n  - name: a\n    objective: 99%\n    window: 28d\n    indicator:\n      ratio: { source: p, bad: errors_total, total: requests_total }\nnotify:\n  - type: route\n${fields}`,
      );
      const { errors } = await loadSpec([file], { env: {}, cwd: dir });
      expect(errors.map((e) => e.format()).join("\n")).toContain(message);
      expect(errors[0]!.format()).toMatch(/svc\.yaml:1[3-6]:\d+/);
    },
  );
});
