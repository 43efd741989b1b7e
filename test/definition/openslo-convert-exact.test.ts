/**
 * `slo convert --to openslo` keeps what a person wrote exactly: names,
 * displayName, descriptions, notification targets (as AlertNotificationTarget
 * objects, named as written) and never writes `notificationTargets: []`: an
 * SLO that notifies nobody gets one target that says its alerts are the rules'
 * own, which reads back as nothing added.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import { convertPaths } from "../../src/definition/write/convert.js";
import { ROOT } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";
import { openSloViolations } from "./openslo-validation.js";

const EXACT = join(ROOT, "test", "fixtures", "openslo", "roundtrip", "native-exact.yaml");

type Doc = Record<string, any>;

function documents(dir: string): Doc[] {
  return readdirSync(dir).flatMap((f) =>
    parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Doc),
  );
}

function slo(docs: Doc[], name: string): Doc {
  const found = docs.find((d) => d.kind === "SLO" && d.metadata.name === name);
  expect(found, name).toBeDefined();
  return found!;
}

describe("slo convert --to openslo keeps what was written", () => {
  it("displayName and description as written, and they read back", async () => {
    const out = await convertInto([EXACT], "openslo");
    const docs = documents(out);
    const invoices = slo(docs, "invoices-availability");
    expect(invoices.metadata.displayName).toBe("Invoices are served");
    expect(invoices.spec.description).toBe(
      "Invoices: served without a 5xx, as finance reads them ('quoted', #1)",
    );
    expect(slo(docs, "exports-latency").metadata.displayName).toBe("Exports: fast enough");

    const { set, errors } = await loadSpec([out], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const read = Object.fromEntries(set.services[0]!.slos.map((s) => [s.name, s]));
    expect(read["invoices-availability"]!.displayName).toBe("Invoices are served");
    expect(read["exports-latency"]!.displayName).toBe("Exports: fast enough");

    const back = readFileSync(join(await convertInto([out], "native"), "billing.yaml"), "utf8");
    expect(back).toContain("displayName: Invoices are served");
    expect(back).toContain('displayName: "Exports: fast enough"');
    expect(back).toContain("name: billing-hook");
  });

  it("an OpenSLO file's own displayName is kept through native and back", async () => {
    const input = join(ROOT, "examples", "openslo", "api.yaml");
    const written = parseAllDocuments(readFileSync(input, "utf8")).map((d) => d.toJS() as Doc);
    const named = written.filter((d) => d.kind === "SLO" && d.metadata.displayName);
    expect(named.length).toBeGreaterThan(0);
    const native = await convertInto([input], "native");
    const again = documents(await convertInto([native], "openslo"));
    for (const d of named)
      expect(slo(again, d.metadata.name).metadata.displayName).toBe(d.metadata.displayName);
  });

  it("never writes notificationTargets: []; an SLO that notifies nobody keeps its alerts as they were", async () => {
    const out = await convertInto([EXACT], "openslo");
    const text = readFileSync(join(out, "billing.yaml"), "utf8");
    expect(text).not.toMatch(/notificationTargets: \[\]/);
    const docs = documents(out);
    for (const d of docs.filter((d) => d.kind === "SLO")) {
      for (const policy of d.spec.alertPolicies ?? [])
        expect(policy.spec.notificationTargets.length, policy.metadata.name).toBeGreaterThan(0);
    }
    const quiet = slo(docs, "exports-latency").spec.alertPolicies as Doc[];
    expect(quiet.map((p) => p.spec.notificationTargets[0].metadata.annotations)).toEqual([
      { "slo/rules-only": "true" },
      { "slo/rules-only": "true" },
    ]);
    // The invoices SLO's page policy names the webhook as written; its ticket policy has no delivery.
    const invoices = slo(docs, "invoices-availability").spec.alertPolicies as Doc[];
    const page = invoices.find((p) => p.spec.conditions[0].spec.severity === "page")!;
    expect(page.spec.notificationTargets).toEqual([
      {
        kind: "AlertNotificationTarget",
        metadata: {
          name: expect.any(String),
          displayName: "billing-hook",
          annotations: { "slo/url": "https://hooks.example/billing" },
        },
        spec: { target: "webhook" },
      },
    ]);
    expect(openSloViolations([{ file: "billing.yaml", docs }])).toEqual([]);

    // Read back: the same alerts, no notification_target label, the webhook for page only.
    const original = await evaluate([EXACT]);
    expect(meaning(await evaluate([out]))).toEqual(meaning(original));
    const { set } = await loadSpec([out], { env: {}, cwd: ROOT });
    const exports = set.services[0]!.slos.find((s) => s.name === "exports-latency")!;
    expect(exports.notify).toEqual([]);
    expect(exports.alerting.page.labels).toEqual({});
    expect(exports.alerting.ticket.labels).toEqual({});
    const inv = set.services[0]!.slos.find((s) => s.name === "invoices-availability")!;
    expect(inv.notify).toEqual([
      {
        type: "webhook",
        name: "billing-hook",
        url: "https://hooks.example/billing",
        severities: ["page"],
      },
    ]);
  });

  it("a displayName or description OpenSLO cannot hold is a convert error naming the SLO and the limit", async () => {
    const text = readFileSync(EXACT, "utf8");
    const long = text.replace(
      "displayName: Invoices are served",
      `displayName: "${"x".repeat(64)}"`,
    );
    const dir = mkdtempSync(join(tmpdir(), "slo-convert-exact-"));
    try {
      writeFileSync(join(dir, "a.yaml"), long);
      await expect(convertPaths([join(dir, "a.yaml")], "openslo", { outDir: dir })).rejects.toThrow(
        /SLO 'invoices-availability': a displayName of 64 characters cannot be written in OpenSLO \(at most 63\)/,
      );
      writeFileSync(
        join(dir, "a.yaml"),
        text.replace(/description: ".*"/, `description: "${"y".repeat(1051)}"`),
      );
      await expect(convertPaths([join(dir, "a.yaml")], "openslo", { outDir: dir })).rejects.toThrow(
        /SLO 'invoices-availability': a description of 1051 characters cannot be written in OpenSLO \(at most 1050\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("slo convert --to openslo refuses what OpenSLO cannot hold, naming it", () => {
  it.each([
    [
      "an alert label name OpenSLO's keys cannot hold",
      (t: string) =>
        t.replace("page: { labels: { route: finance } }", "page: { labels: { _route: finance } }"),
      /SLO 'invoices-availability': the page label '_route' \(OpenSLO label names .*\) cannot be written in OpenSLO/,
    ],
    [
      "an alert annotation name OpenSLO's keys cannot hold",
      (t: string) =>
        t.replace(
          "page: { labels: { route: finance } }",
          "page: { annotations: { 'runbook url': x } }",
        ),
      /SLO 'invoices-availability': the page annotation 'runbook url' .* cannot be written in OpenSLO/,
    ],
    [
      "a notify target name over 63 characters",
      (t: string) => t.replace("name: billing-hook", `name: ${"h".repeat(64)}`),
      /SLO 'invoices-availability': a notify target name of 64 characters cannot be written in OpenSLO \(at most 63\)/,
    ],
  ])("%s", async (_what, edit, message) => {
    const dir = mkdtempSync(join(tmpdir(), "slo-convert-refused-"));
    try {
      writeFileSync(join(dir, "a.yaml"), edit(readFileSync(EXACT, "utf8")));
      expect((await loadSpec([join(dir, "a.yaml")], { env: {} })).errors).toEqual([]);
      await expect(convertPaths([join(dir, "a.yaml")], "openslo", { outDir: dir })).rejects.toThrow(
        message,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
