/**
 * OpenSLO files as the Go SDK and oslo write and read them: a YAML list of
 * objects, a JSON array, several `---` documents some of which are lists.
 * Each loads into the same model as one document per object, converts to
 * the native format, and evaluates. A file that is not an SLO file is told
 * what was found in it.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { SloSet } from "../../src/definition/model.js";
import { MAX_KEYS_NAMED_IN_ERRORS } from "../../src/limits.js";
import type { SloReport } from "../../src/report/schema.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const SHAPES = "test/fixtures/openslo/sdk-shapes";
const BROKEN = join(ROOT, SHAPES, "broken");
const AT = "2026-11-20T12:00:00Z";

const tmp = mkdtempSync(join(tmpdir(), "slo-openslo-shapes-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A port nothing listens on: one the system gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

async function load(paths: string[]): Promise<SloSet> {
  const { set, errors } = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(errors.map((e) => e.format())).toEqual([]);
  return set;
}

/** The model without where things were written: what two spellings of one file must share. */
function meaning(set: SloSet): unknown {
  return JSON.parse(
    JSON.stringify(set.services, (key, value) =>
      key === "at" || key === "file" || key === "baseDir" ? undefined : value,
    ),
  );
}

/** The same objects, one `---` document each: the shape slo always read. */
function asDocuments(text: string): string {
  const objects = parseAllDocuments(text).flatMap((d) => {
    const value = d.toJS() as unknown;
    return Array.isArray(value) ? value : [value];
  });
  return objects.map((o) => stringify(o)).join("---\n");
}

describe("OpenSLO as the Go SDK and oslo write it", () => {
  it.each(["list-of-objects.yaml", "objects.json", "documents-and-lists.yaml"])(
    "%s loads into the same model as one document per object",
    async (name) => {
      const listed = await load([join(SHAPES, name)]);
      const file = join(tmp, `${name}.as-documents.yaml`);
      writeFileSync(file, asDocuments(readFileSync(join(ROOT, SHAPES, name), "utf8")));
      const documents = await load([file]);
      expect(listed.services.length).toBeGreaterThan(0);
      expect(meaning(listed)).toEqual(meaning(documents));
    },
  );

  it("a YAML list: a Service without spec, labels as lists, connectionDetails as a list", async () => {
    const set = await load([join(SHAPES, "list-of-objects.yaml")]);
    expect(set.services).toHaveLength(1);
    const [web] = set.services;
    expect(web!.service).toBe("web");
    expect(web!.labels).toEqual({ team: "search" });
    expect(web!.sources["web-logs"]).toMatchObject({
      type: "logs",
      paths: ["logs/web.ndjson"],
    });
    const [slo] = web!.slos;
    expect(slo).toMatchObject({
      name: "web-availability",
      objective: 0.9,
      labels: { team: "search", tier: "1" },
      indicator: { kind: "ratio", good: "| json | status < 500", total: "| json" },
    });
    // Positions are the file's own, inside the list.
    expect(slo!.at).toMatchObject({ file: join(SHAPES, "list-of-objects.yaml"), line: 46 });
  });

  it("a JSON array: {name, value} connection pairs, positions in the JSON", async () => {
    const set = await load([join(SHAPES, "objects.json")]);
    const [checkout] = set.services;
    expect(checkout!.sources.prometheus).toMatchObject({
      type: "prometheus",
      url: "http://127.0.0.1:9090",
      timeoutMs: 2000,
      retries: 0,
    });
    expect(checkout!.slos.map((s) => [s.name, s.objective, s.at.line])).toEqual([
      ["checkout-availability", 0.995, 38],
    ]);
  });

  it("several documents, some of them lists, load together and refer to each other", async () => {
    const set = await load([join(SHAPES, "documents-and-lists.yaml")]);
    expect(set.services.map((s) => s.service)).toEqual(["search"]);
    const [search] = set.services;
    expect(search!.sources["search-logs"]).toMatchObject({ labels: { app: "search" } });
    expect(search!.slos.map((s) => [s.name, s.objective, s.at.line])).toEqual([
      ["search-errors", 0.9, 28],
      ["search-strict", 0.99, 57],
    ]);
  });

  it("a list's objects refer to objects in other files, and back", async () => {
    const dir = mkdtempSync(join(tmp, "across-"));
    const text = readFileSync(join(ROOT, SHAPES, "list-of-objects.yaml"), "utf8");
    const [head, ...rest] = text.split("\n- apiVersion: openslo/v1\n  kind: SLO\n");
    writeFileSync(join(dir, "a.yaml"), head!);
    writeFileSync(join(dir, "b.yaml"), `- apiVersion: openslo/v1\n  kind: SLO\n${rest.join("")}`);
    const set = await load([dir]);
    expect(set.services.flatMap((s) => s.slos.map((x) => x.name))).toEqual(["web-availability"]);
  });

  it("an alias in one item may repeat an anchor of another", () => {
    const text = `- apiVersion: openslo/v1
  kind: Service
  metadata:
    name: &service web
- apiVersion: openslo/v1
  kind: DataSource
  metadata:
    name: prom
  spec:
    type: Prometheus
    connectionDetails: {url: "http://127.0.0.1:9090"}
- apiVersion: openslo/v1
  kind: SLO
  metadata:
    name: web-availability
  spec:
    service: *service
    indicator:
      metadata: {name: web-errors}
      spec:
        ratioMetric:
          good: {metricSource: {metricSourceRef: prom, spec: {query: 'http_requests_total{code!~"5.."}'}}}
          total: {metricSource: {metricSourceRef: prom, spec: {query: http_requests_total}}}
    timeWindow: [{duration: 28d, isRolling: true}]
    budgetingMethod: Occurrences
    objectives: [{target: 0.99}]
`;
    const { services, errors } = loadText("slo.yaml", text, {});
    expect(errors.map((e) => e.format())).toEqual([]);
    expect(services.map((s) => [s.service, s.slos.map((x) => x.service)])).toEqual([
      ["web", ["web"]],
    ]);
  });
});

describe("a file that is not an SLO file says what was found", () => {
  it.each([
    ["- a\n- b\n- c\n", "a YAML list of 3 strings, not OpenSLO objects"],
    ["[1, 2]\n", "a YAML list of 2 numbers, not OpenSLO objects"],
    ["- [a]\n- b: 1\n", "a YAML list of 2 items, not OpenSLO objects"],
    ["- a: 1\n  b: 2\n", "a YAML list of 1 mapping, not OpenSLO objects"],
    [
      "a: 1\nb: 2\nc: 3\n",
      "a mapping with keys a, b, c: not a native, OpenSLO, Sloth or Pyrra file",
    ],
    [
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
      "a Kubernetes-style object (apiVersion v1, kind ConfigMap): not a native, OpenSLO, Sloth or Pyrra file",
    ],
    ["just words\n", "a string: not a native, OpenSLO, Sloth or Pyrra file"],
    ["42\n", "a number: not a native, OpenSLO, Sloth or Pyrra file"],
  ])("%j", (text, found) => {
    const { errors } = loadText("x.yaml", text, {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringContaining(`x.yaml:1:1: not an SLO file: ${found}`),
    ]);
  });

  it(`a mapping's first ${MAX_KEYS_NAMED_IN_ERRORS} keys are named, the others counted`, () => {
    const keys = Array.from({ length: MAX_KEYS_NAMED_IN_ERRORS + 2 }, (_, i) => `key${i}`);
    const { errors } = loadText("x.yaml", keys.map((k) => `${k}: 1\n`).join(""), {});
    const named = keys.slice(0, MAX_KEYS_NAMED_IN_ERRORS).join(", ");
    expect(errors[0]!.message).toContain(`a mapping with keys ${named} and 2 more:`);
  });
});

describe("broken lists", () => {
  const fixtures = readBrokenFixtures(BROKEN).filter(
    (f) => !/connection-details|service-spec/.test(f.name),
  );

  it("there are some", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
  });

  it.each(fixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(BROKEN, fixture),
  );

  it("a JSON array's broken object is named at its line:col", () => {
    const text = `[
  {"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"name": "web"}},
  {"apiVersion": "openslo/v1", "kind": "Service", "metadata": {"nam": "checkout"}}
]
`;
    const { errors } = loadText("objects.json", text, {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringContaining(
        "objects.json:3:63: OpenSLO document: metadata: missing required key 'name'",
      ),
      expect.stringContaining(
        "objects.json:3:64: OpenSLO document: metadata.nam: unknown key 'nam'",
      ),
    ]);
  });
});

describe("the CLI on the SDK's shapes", () => {
  it.each(["list-of-objects.yaml", "objects.json", "documents-and-lists.yaml"])(
    "validate %s: exit 0",
    async (name) => {
      const r = await runCli(["validate", join(SHAPES, name)]);
      expect(r.code, r.stderr).toBe(0);
    },
  );

  it.each(["list-of-objects.yaml", "objects.json", "documents-and-lists.yaml"])(
    "convert --to native %s: the native file loads to the same SLOs",
    async (name) => {
      const r = await runCli(["convert", "--to", "native", join(SHAPES, name)]);
      expect(r.code, r.stderr).toBe(0);
      const out = join(tmp, `${name}.native.yaml`);
      writeFileSync(out, r.stdout);
      const native = await load([out]);
      const original = await load([join(SHAPES, name)]);
      const summary = (set: SloSet) =>
        set.services.flatMap((s) =>
          s.slos.map((x) => [s.service, x.name, x.objective, x.window, x.indicator]),
        );
      expect(summary(native)).toEqual(summary(original));
    },
  );

  it.each(["list-of-objects.yaml", "documents-and-lists.yaml"])(
    "convert --to native --out, then check: %s evaluates the same",
    async (name) => {
      const out = mkdtempSync(join(tmp, "native-"));
      const converted = await runCli([
        "convert",
        "--to",
        "native",
        "--out",
        out,
        join(SHAPES, name),
      ]);
      expect(converted.code, converted.stderr).toBe(0);
      const evaluate = async (path: string) => {
        const r = await runCli(["check", path, "--at", AT, "--format", "json"]);
        const report = JSON.parse(r.stdout) as SloReport;
        return { code: r.code, slos: report.slos.map((s) => [s.name, s.events, s.sli, s.status]) };
      };
      const original = await evaluate(join(SHAPES, name));
      expect(original.slos.length).toBeGreaterThan(0);
      expect(await evaluate(out)).toEqual(original);
    },
  );

  it("check on a YAML list reading logs: 38 good of 40, objective 90%: pass", async () => {
    const r = await runCli([
      "check",
      join(SHAPES, "list-of-objects.yaml"),
      "--at",
      AT,
      "--format",
      "json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos.map((s) => [s.name, s.events, s.status])).toEqual([
      ["web-availability", { good: 38, bad: 2, total: 40 }, "ok"],
    ]);
  });

  it("check on several documents: the 99% SLO breaches on the same log, exit 1", async () => {
    const r = await runCli([
      "check",
      join(SHAPES, "documents-and-lists.yaml"),
      "--at",
      AT,
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos.map((s) => [s.name, s.events.bad, s.events.total, s.status])).toEqual([
      ["search-errors", 2, 40, "ok"],
      ["search-strict", 2, 40, "breaching"],
    ]);
    expect(report.result).toBe("fail");
    expect(r.code).toBe(1);
  });

  it("check on a JSON array whose Prometheus cannot be reached: exit 3, the server named", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await runCli(["check", join(SHAPES, "objects.json"), "--at", AT], {
      env: { CHECKOUT_PROMETHEUS_URL: url },
    });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).toContain(url);
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
  });

  it("validate on every broken variant: exit 2 at file:line:col", async () => {
    for (const f of readBrokenFixtures(BROKEN)) {
      const r = await runCli(["validate", join(SHAPES, "broken", f.name)], {
        env: { PROM_URL_UNSET_IN_TESTS: undefined },
      });
      expect(r.code, `${f.name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${SHAPES}/broken/${f.name}:${f.line}:${f.col}: `);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    }
  });
});
