import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandString } from "../../src/definition/env.js";
import { loadSpec, loadText } from "../../src/definition/load.js";

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-spec-"));
  const file = join(dir, "slo.yaml");
  writeFileSync(file, text);
  return file;
}

const VALID = `
service: ctrl
labels: { team: core, tier: 1 }
sources:
  logs: { type: logs, paths: [a.ndjson] }
  prom:
    type: prometheus
    url: \${PROM_URL:-http://127.0.0.1:9090}
    headers: { Authorization: "Bearer \${PROM_TOKEN}" }
slos:
  - name: availability
    objective: 99.9%
    window: 28d
    indicator: { ratio: { source: prom, bad: 'http_requests_total{code=~"5.."}', total: http_requests_total } }
    gate: { minRemaining: 10% }
  - name: latency
    objective: 0.99
    window: { calendar: month, timezone: Europe/Berlin }
    indicator:
      latency: { source: logs, events: "| json", field: duration, threshold: 0.3s }
    alerting:
      minEvents: 50
      windows:
        - { severity: page, long: 1h, short: 5m, share: 2% }
    gate: false
`;

describe("loading a native SLO file", () => {
  it("maps the file to the model with defaults", async () => {
    const { set, errors } = await loadSpec([write(VALID)], { env: { PROM_TOKEN: "s3cret" } });
    expect(errors).toEqual([]);
    const [service] = set.services;
    expect(service!.labels).toEqual({ team: "core", tier: "1" });
    const prom = service!.sources.prom!;
    expect(prom).toMatchObject({
      type: "prometheus",
      url: "http://127.0.0.1:9090",
      headers: { Authorization: "Bearer s3cret" },
    });
    const [a, b] = service!.slos;
    expect(a!.objective).toBe(0.999);
    expect(a!.window).toEqual({ kind: "rolling", durationMs: 28 * 86_400_000, label: "28d" });
    expect(a!.gate).toEqual({ enabled: true, minRemaining: 0.1, warnRemaining: 0.25 });
    expect(a!.alerting.windows.map((w) => `${w.long}/${w.short}`)).toEqual([
      "1h/5m",
      "6h/30m",
      "1d/2h",
      "3d/6h",
    ]);
    expect(a!.alerting.minEvents).toBe(10);
    expect(b!.objective).toBe(0.99);
    expect(b!.window).toEqual({
      kind: "calendar",
      count: 1,
      unit: "month",
      timeZone: "Europe/Berlin",
      label: "month",
    });
    expect(b!.indicator).toMatchObject({ kind: "latency", unit: "ms", threshold: 300 });
    expect(b!.alerting.windows).toHaveLength(1);
    expect(b!.gate.enabled).toBe(false);
    expect(b!.at.line).toBe(16);
  });

  it("reports every problem of a file at once: structure first, then meaning", async () => {
    const structure = VALID.replace("99.9%", "high").replace("28d", "28 days");
    const first = await loadSpec([write(structure)], { env: { PROM_TOKEN: "x" } });
    expect(first.errors.map((e) => e.message)).toEqual([
      expect.stringContaining("expected a percentage"),
      expect.stringContaining("expected a duration"),
    ]);
    const meaning = VALID.replace("99.9%", "100%").replace("Europe/Berlin", "Nowhere/City");
    const second = await loadSpec([write(meaning)], { env: { PROM_TOKEN: "x" } });
    expect(second.errors.map((e) => e.message)).toEqual([
      expect.stringContaining("100% leaves no error budget"),
      expect.stringContaining("unknown time zone 'Nowhere/City'"),
    ]);
  });

  it("lists a file's problems from top to bottom, whichever check found them", async () => {
    const file = write(`
service: ctrl
sources:
  logs: { type: logs, paths: [a.ndjson] }
slos:
  - name: availability
    objective: 99.9%
    window: 28d
    indicator:
      ratio:
        source: logs
        total: '{app="ctrl"} | json | msg = = "a"'
        bad: '{app="ctrl"} | json | status >= = 500'
  - name: later
    objective: 99%
    window: 28d
    indicator: { ratio: { source: logs, total: '| json | a = = "b"', bad: '| json' } }
`);
    const { errors } = await loadSpec([file]);
    expect(errors.map((e) => e.line)).toEqual([12, 13, 17]);
  });

  it("reports a YAML indentation mistake once, where it is, with a hint", async () => {
    const text = VALID.replace("    objective: 99.9%", "\tobjective: 99.9%");
    const { errors } = await loadSpec([write(text)], { env: { PROM_TOKEN: "x" } });
    expect(errors.map((e) => [e.line, e.col, e.message])).toEqual([
      [12, 1, "YAML syntax error: Tabs are not allowed as indentation"],
    ]);
    expect(errors[0]!.hint).toContain("indentation");
  });

  it("never puts the value of a secret into an error", async () => {
    const file = write(
      VALID.replace("url: ${PROM_URL:-http://127.0.0.1:9090}", "url: 'http://user:hunter2@:bad'"),
    );
    const { errors } = await loadSpec([file], { env: { PROM_TOKEN: "x" } });
    expect(errors.map((e) => e.format()).join("\n")).not.toContain("hunter2");
  });
});

describe("${VAR} expansion", () => {
  it.each([
    ["${A}", { A: "1" }, "1", []],
    ["${A:-x}", {}, "x", []],
    ["${A:-x}", { A: "1" }, "1", []],
    ["a-${B}-c", {}, "a-${B}-c", ["B"]],
    ["$${A}", { A: "1" }, "${A}", []],
    ["${A}${B:-2}", { A: "1" }, "12", []],
  ] as const)("%s", (text, env, value, missing) => {
    expect(expandString(text, env)).toEqual({ value, missing });
  });
});

describe("names that are Object.prototype's keys", () => {
  const file = (source: string, declared = source) => `service: x
sources:
  ${declared}: { type: logs, paths: [e.ndjson] }
slos:
  - name: a
    objective: 99%
    window: 1d
    indicator: { ratio: { source: ${source}, total: "| json", bad: "| json | status >= 500" } }
`;

  it("refuses __proto__ as a source name, at the reference, instead of failing later as a bug", () => {
    const { errors } = loadText("slo.yaml", file("__proto__"), {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(/^slo\.yaml:8:35: '__proto__' cannot name a source/),
    ]);
  });

  it("does not take Object.prototype's members for sources", () => {
    const { errors } = loadText("slo.yaml", file("toString", "logs"), {});
    expect(errors.map((e) => e.message)).toEqual(["source 'toString' is not defined in this file"]);
  });

  it("lets other such words name a source", () => {
    const { errors, services } = loadText("slo.yaml", file("constructor"), {});
    expect(errors).toEqual([]);
    expect(Object.keys(services[0]!.sources)).toEqual(["constructor"]);
  });
});

describe("durations past what slo can count", () => {
  const native = (slo: string, source = "") => `service: x
sources:
  prom: { type: prometheus, url: "http://127.0.0.1:9090"${source} }
  logs: { type: logs, paths: [e.ndjson] }
slos:
  - name: a
    objective: 99%
    window: 30d
${slo}`;
  const ratio = `    indicator: { ratio: { source: prom, total: t_total, bad: b_total } }\n`;
  const latency = (threshold: string) =>
    `    indicator: { latency: { source: logs, events: "| json", field: d, threshold: ${threshold} } }\n`;

  it.each([
    ["a source's timeout", native(ratio, ", timeout: 99999999999999999999s"), "3:68"],
    [
      "a burn-rate short window",
      `${native(ratio)}    alerting: { windows: [{ severity: page, long: 1h, short: 99999999999999999999m, share: 2% }] }\n`,
      "10:62",
    ],
  ])("%s is refused with the limit", (_, text, at) => {
    const { errors } = loadText("slo.yaml", text, {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(
        new RegExp(`^slo\\.yaml:${at}: .*is longer than 1830d, the longest duration slo reads`),
      ),
    ]);
  });

  it("a latency threshold too large for a number is refused", () => {
    const threshold = `${"9".repeat(400)}ms`;
    const { errors } = loadText("slo.yaml", native(latency(threshold)), {});
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining("threshold: expected a positive duration"),
    ]);
  });

  it("a timeslice count is checked against calendar windows at their longest", () => {
    const text = (unit: string, slice: string) =>
      native(
        `    budgetingMethod: ratioTimeslices\n    timesliceWindow: ${slice}\n${ratio}`,
      ).replace("window: 30d", `window: { calendar: ${unit} }`);
    // A year of 366 days holds 527,040 one-minute slices and 1,054,080 of 30 seconds.
    expect(loadText("slo.yaml", text("year", "1m"), {}).errors).toEqual([]);
    expect(loadText("slo.yaml", text("year", "30s"), {}).errors.map((e) => e.message)).toEqual([
      expect.stringContaining("a year window of 30s timeslices holds 1054080 of them"),
    ]);
  });
});

describe("__error__ on a loki source", () => {
  const file = (bad: string, type = "loki") => `service: x
sources:
  src: { type: ${type}, ${type === "loki" ? 'url: "http://127.0.0.1:3100"' : "paths: [e.ndjson]"} }
slos:
  - name: a
    objective: 99%
    window: 1d
    indicator: { ratio: { source: src, total: '{app="x"} | json', bad: '${bad}' } }
`;

  it("refuses a filter that keeps errored lines: Loki's metric query cannot count them, and slo's would count none", () => {
    for (const keep of [
      '__error__ != ""',
      '__error__ =~ "JSON.*"',
      '__error__ = "JSONParserErr"',
    ]) {
      const { errors } = loadText(
        "slo.yaml",
        file(`{app="x"} | json | status >= 500 | ${keep}`),
        {},
      );
      expect(errors.map((e) => e.format())).toEqual([
        expect.stringMatching(
          /^slo\.yaml:8:\d+: LogQL: a query on a loki source cannot count lines that carry __error__/,
        ),
      ]);
    }
  });

  it('takes __error__ = "" on Loki, and every __error__ filter on log files', () => {
    expect(
      loadText("slo.yaml", file('{app="x"} | json | status >= 500 | __error__ = ""'), {}).errors,
    ).toEqual([]);
    expect(
      loadText("slo.yaml", file('{app="x"} | json | __error__ != ""', "logs"), {}).errors,
    ).toEqual([]);
  });
});
