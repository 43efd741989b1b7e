/**
 * `slo convert` keeps the meaning: the original files and the converted ones
 * are evaluated on the same data and give the same report. The data is a
 * deterministic function of each indicator's own text (hashedSource), or the
 * real logs source on the example service's NDJSON logs.
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { convertPaths } from "../../src/definition/write/convert.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";

const FIXTURES = join(ROOT, "test", "fixtures", "openslo");

describe("native -> OpenSLO -> native", () => {
  const rich = join(FIXTURES, "roundtrip", "native-rich.yaml");

  it("evaluates to the same report at every step", async () => {
    const original = await evaluate([rich]);
    const openslo = await convertInto([rich], "openslo");
    const back = await convertInto([openslo], "native");
    expect(meaning(await evaluate([openslo]))).toEqual(meaning(original));
    expect(meaning(await evaluate([back]))).toEqual(meaning(original));

    // The report is not trivial: every SLO has events, and the features carried by annotations show.
    const byName = Object.fromEntries(original.slos.map((s) => [s.name, s]));
    for (const s of original.slos) expect(s.events.total, s.name).toBeGreaterThan(0);
    expect(byName["jobs-windowed"]!.gated).toBe(false);
    expect(byName["cart-latency"]!.timeslices).toBeDefined();
    expect(byName["checkout-errors-loki"]!.alerts.map((a) => `${a.long}/${a.short}`)).toEqual([
      "2h/10m",
      "1d/3h",
    ]);
    expect(byName["cart-availability"]!.alerts.map((a) => a.severity)).toEqual(["page", "page"]);
    expect(new Set(original.slos.map((s) => s.status)).size).toBeGreaterThan(1);
  });

  it("the comparison sees a change of meaning (a control for the test above)", async () => {
    const original = await evaluate([rich]);
    const openslo = await convertInto([rich], "openslo");
    const file = join(openslo, "shop.yaml");
    const text = readFileSync(file, "utf8");
    for (const [from, to] of [
      ["target: 0.999\n", "target: 0.998\n"],
      ["        good:\n", "        bad:\n"],
      ['slo/min-events: "25"', 'slo/min-events: "5000"'],
      ["duration: 28d", "duration: 27d"],
    ] as const) {
      expect(text).toContain(from);
      writeFileSync(file, text.replace(from, to));
      expect(meaning(await evaluate([openslo])), `${from} -> ${to}`).not.toEqual(meaning(original));
    }
  });
});

describe("OpenSLO -> native and OpenSLO -> OpenSLO", () => {
  it.each([
    ["all-kinds.yaml"],
    ["methods-and-windows.yaml"],
    ["cross-files"],
    ["implicit-source.yaml"],
  ])("%s evaluates the same after conversion", async (name) => {
    const input = join(FIXTURES, "valid", name);
    const original = await evaluate([input]);
    expect(original.slos.length).toBeGreaterThan(0);
    for (const to of ["native", "openslo"] as const) {
      const converted = await convertInto([input], to);
      expect(meaning(await evaluate([converted])), to).toEqual(meaning(original));
    }
  });
});

describe("on real logs", () => {
  it("the example service's SLOs read the same NDJSON logs to the same report after conversion", async () => {
    const original = await evaluate(["slos/ctrl.yaml"], { real: true });
    expect(original.slos.map((s) => s.events.total).every((n) => n > 1000)).toBe(true);
    const openslo = await convertInto(["slos/ctrl.yaml"], "openslo");
    const back = await convertInto([openslo], "native");
    expect(meaning(await evaluate([openslo], { real: true }))).toEqual(meaning(original));
    expect(meaning(await evaluate([back], { real: true }))).toEqual(meaning(original));
  });
});

describe("environment references", () => {
  const dir = mkdtempSync(join(tmpdir(), "slo-convert-env-"));
  const file = join(dir, "api.yaml");
  writeFileSync(
    file,
    `service: api
sources:
  prom:
    type: prometheus
    url: \${PROM_URL:-http://127.0.0.1:9090}/prefix
    bearerToken: \${PROM_TOKEN}
    headers: { X-Org: "org \${ORG_ID}" }
slos:
  - name: availability
    description: costs $\${HOME} nothing
    objective: 99.9%
    window: 30d
    indicator:
      ratio:
        source: prom
        bad: '\${METRIC}_total{code=~"5..", job="\${JOB:-api}"}'
        total: '\${METRIC}_total{job="\${JOB:-api}"}'
`,
  );

  it.each(["native", "openslo"] as const)(
    "--to %s writes the references back, never their values",
    async (to) => {
      const secrets = {
        PROM_TOKEN: "s3cret-token-value",
        ORG_ID: "org-4711",
        METRIC: "http_requests",
        PROM_URL: "https://prom.internal",
      };
      const r = await runCli(["convert", "--to", to, file], { env: secrets });
      expect(r.code, r.stderr).toBe(0);
      for (const value of Object.values(secrets)) expect(r.stdout).not.toContain(value);
      expect(r.stdout).toContain("${PROM_URL:-http://127.0.0.1:9090}/prefix");
      expect(r.stdout).toContain("${PROM_TOKEN}");
      expect(r.stdout).toContain("org ${ORG_ID}");
      expect(r.stdout).toContain('${METRIC}_total{code=~"5..", job="${JOB:-api}"}');
      expect(r.stdout).toContain("costs $${HOME} nothing");
      // And what was written loads again, with the environment it names.
      const out = join(dir, `out-${to}`);
      await mkdir(out, { recursive: true });
      writeFileSync(join(out, "api.yaml"), r.stdout);
      const { set, errors } = await loadSpec([out], {
        env: { PROM_TOKEN: "t", ORG_ID: "1", METRIC: "m" },
      });
      expect(errors.map((e) => e.format())).toEqual([]);
      const prom = set.services[0]!.sources.prom!;
      expect(prom).toMatchObject({
        url: "http://127.0.0.1:9090/prefix",
        bearerToken: "t",
        headers: { "X-Org": "org 1" },
      });
      expect(set.services[0]!.slos[0]!.description).toBe("costs ${HOME} nothing");
    },
    60_000,
  );

  it("a variable with two different defaults cannot be written back: an error names it", async () => {
    const other = join(dir, "other");
    await mkdir(other, { recursive: true });
    writeFileSync(join(other, "a.yaml"), readFileSync(file, "utf8"));
    writeFileSync(
      join(other, "b.yaml"),
      readFileSync(file, "utf8")
        .replace("service: api", "service: web")
        .replaceAll("${JOB:-api}", "${JOB:-web}"),
    );
    await expect(convertPaths([other], "native", { outDir: other })).rejects.toThrow(
      /\$\{JOB:-api\} .* and \$\{JOB:-web\} .* give the variable JOB different defaults/,
    );
  });
});

describe("slo convert on the command line", () => {
  it("writes one file per service, never over an existing one without --force", {
    timeout: 120_000,
  }, async () => {
    const out = mkdtempSync(join(tmpdir(), "slo-convert-cli-"));
    const args = ["convert", "--to", "openslo", "test/fixtures/sloth/valid", "--out", out];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("ledger.yaml");
    expect(first.stdout).toContain("payments.yaml");
    const written = readFileSync(join(out, "payments.yaml"), "utf8");
    writeFileSync(join(out, "payments.yaml"), "# edited by hand\n");

    const again = await runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite .*ledger\.yaml.*payments\.yaml/);
    expect(again.stderr).toContain("--force");
    expect(hasStackTrace(again.stderr)).toBe(false);
    expect(readFileSync(join(out, "payments.yaml"), "utf8")).toBe("# edited by hand\n");

    const forced = await runCli([...args, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(out, "payments.yaml"), "utf8")).toBe(written);
    const check = await runCli(["validate", out]);
    expect(check.code, check.stderr).toBe(0);

    // --out names a folder: a file there is the user's to fix, not a bug
    const onFile = await runCli([...args.slice(0, -1), join(out, "payments.yaml")]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain("a file is in the way");
    expect(onFile.stderr).not.toContain("internal");
  });

  it("bad input exits 2 with a clear message and no stack trace", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-convert-bad-"));
    // OpenSLO durations are whole minutes at least: a 30s slice cannot be written.
    writeFileSync(
      join(dir, "slo.yaml"),
      `service: api
sources: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }
slos:
  - name: sliced
    objective: 99%
    window: 1d
    budgetingMethod: ratioTimeslices
    timesliceWindow: 30s
    indicator: { ratio: { source: prom, bad: errors_total, total: requests_total } }
`,
    );
    const results = await Promise.all([
      runCli(["convert", "--to", "yaml", "slos/"]),
      runCli(["convert", "--to", "openslo", join(dir, "slo.yaml")]),
      runCli(["convert", "--to", "native", "test/fixtures/openslo/unsupported-sources/mixed.yaml"]),
    ]);
    const [badFormat, unwritable, broken] = results;
    expect(badFormat!.stderr).toContain("--to yaml: expected one of native, openslo");
    expect(unwritable!.stderr).toMatch(
      /slo\.yaml:4:5: SLO 'sliced': timesliceWindow 30s .*cannot be written in OpenSLO/,
    );
    expect(broken!.stderr).toContain("mixed.yaml:64:9: SLO 'checkout-latency' reads DataSource");
    for (const r of results) {
      expect(r.code, r.stderr).toBe(2);
      expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
    }
  });
});
