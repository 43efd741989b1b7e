/** `slo check` as a user runs it: the example, exit codes, options, output. */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-11-24T12:00:00Z";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "slo-check-"));
}

/** A one-SLO file over the given log lines. */
function sloOver(lines: object[], extra = ""): string {
  const dir = tempDir();
  writeFileSync(join(dir, "events.ndjson"), `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  writeFileSync(
    join(dir, "slo.yaml"),
    `service: svc
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: 90%
    window: 30d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
${extra}`,
  );
  return join(dir, "slo.yaml");
}

const at = (minutesBefore: number) =>
  new Date(Date.parse(AT) - minutesBefore * 60_000).toISOString();
/** 100 events 7 hours apart over 29 days; the last `bad` of them (the oldest) failed, so no alert fires. */
const events = (bad: number) =>
  Array.from({ length: 100 }, (_, i) => ({
    t: at(i * 420 + 1),
    status: i >= 100 - bad ? 500 : 200,
  }));
/** 2% errors against a 10% budget: 20% spent. */
const healthy = events(2);
/** 50% of the budget spent. */
const halfSpent = events(5);
/** 80% spent: a warning without any alert firing. */
const mostlySpent = events(8);

describe("slo check on the example service", () => {
  it("passes one SLO, warns on one, breaches one, and exits 1", async () => {
    const r = await runCli(["check", "slos/", "--at", AT, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(reportSchemaErrors(report)).toEqual([]);
    const status = Object.fromEntries(report.slos.map((s) => [s.name, s.status]));
    expect(status).toEqual({
      "check-balance-availability": "ok",
      "somesystem-latency": "warning",
      "customer-info-sync": "breaching",
      "sms-batch-delivery": "ok",
    });
    expect(report.result).toBe("fail");
    const sync = report.slos.find((s) => s.name === "customer-info-sync")!;
    expect(sync.breakdown[0]).toMatchObject({
      value: "api-sync-fail-customer-info-err_temporary_blocked",
    });
  });

  it("uses slos/ when no path is given, and prints a table", async () => {
    const r = await runCli(["check", "--at", AT]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/check-balance-availability\s+99\.5%/);
    expect(r.stdout).toContain("result: FAIL");
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("colours the table only when asked (FORCE_COLOR) and never under NO_COLOR", async () => {
    const colour = await runCli(["check", "--at", AT], {
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(colour.stdout).toContain("\u001b[31m");
    const plain = await runCli(["check", "--at", AT], { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(plain.stdout).not.toContain("\u001b[");
  });
});

describe("exit codes and options", () => {
  it("0 on pass; the report validates against schemas/report.schema.json", async () => {
    const r = await runCli(["check", sloOver(healthy), "--at", AT, "--format", "json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.result).toBe("pass");
    expect(reportSchemaErrors(report)).toEqual([]);
  });

  it("0 on warn, 1 with --fail-on warning", async () => {
    const file = sloOver(mostlySpent);
    const warn = await runCli(["check", file, "--at", AT, "--format", "json"]);
    expect((JSON.parse(warn.stdout) as SloReport).result).toBe("warn");
    expect(warn.code).toBe(0);
    expect((await runCli(["check", file, "--at", AT, "--fail-on", "warning"])).code).toBe(1);
  });

  it("a --github option without --github is refused (exit 2), not silently ignored", async () => {
    const file = sloOver(healthy);
    const one = await runCli(["check", file, "--at", AT, "--check-name", "deploy"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/--check-name only applies with --github/);
    const two = await runCli(["check", file, "--at", AT, "--no-comment", "--sha", "abc"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--no-comment, --sha only apply with --github/);
    expect(two.stdout).toBe("");
  });

  it("--fail-on never always exits 0", async () => {
    const file = sloOver(healthy.map((e) => ({ ...e, status: 500 })));
    expect((await runCli(["check", file, "--at", AT])).code).toBe(1);
    expect((await runCli(["check", file, "--at", AT, "--fail-on", "never"])).code).toBe(0);
  });

  it("gate: { minRemaining } breaches above zero", async () => {
    const file = sloOver(halfSpent, "    gate: { minRemaining: 60% }\n");
    const r = await runCli(["check", file, "--at", AT, "--format", "json"]);
    expect((JSON.parse(r.stdout) as SloReport).slos[0]!.status).toBe("breaching");
    expect(r.code).toBe(1);
  });

  it("gate: false reports a breach without failing the run", async () => {
    const file = sloOver(
      healthy.map((e) => ({ ...e, status: 500 })),
      "    gate: false\n",
    );
    const r = await runCli(["check", file, "--at", AT, "--format", "json"]);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos[0]!.status).toBe("breaching");
    expect(report.result).toBe("pass");
    expect(r.code).toBe(0);
  });

  it("no data is reported as no-data with a null SLI and exits 0", async () => {
    const r = await runCli([
      "check",
      sloOver(healthy),
      "--at",
      "2020-01-01T00:00:00Z",
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as SloReport;
    expect(report.slos[0]).toMatchObject({
      status: "no-data",
      sli: null,
      errorBudget: { consumed: 0, remaining: 1 },
    });
    expect(report.result).toBe("unknown");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("NaN");
    const text = await runCli(["check", sloOver(healthy), "--at", "2020-01-01T00:00:00Z"]);
    expect(text.stdout).toContain("evaluate at a time they cover with --at");
  });

  it("3 when a source cannot be read, unless --on-source-error says pass or fail", async () => {
    const dir = tempDir();
    const file = join(dir, "slo.yaml");
    writeFileSync(
      file,
      readFileSync(sloOver(healthy), "utf8").replace(
        "paths: [events.ndjson]",
        "paths: [missing/*.ndjson]",
      ),
    );
    const r = await runCli(["check", file, "--at", AT]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("missing/*.ndjson");
    expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
    expect((await runCli(["check", file, "--at", AT, "--on-source-error", "pass"])).code).toBe(0);
    expect((await runCli(["check", file, "--at", AT, "--on-source-error", "fail"])).code).toBe(1);
  });

  it("2 on a bad command line, with a clear message", async () => {
    for (const args of [
      ["check", "--at", "yesterday"],
      ["check", "--format", "yaml"],
      ["check", "--fail-on", "sometimes"],
      ["check", "--on-source-error", "ignore"],
      ["check", "--no-such-option"],
      ["check", "no/such/folder"],
      ["no-such-command"],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.length).toBeGreaterThan(0);
      expect(hasStackTrace(r.stderr)).toBe(false);
    }
  });

  it("--out writes the report and never overwrites an SLO file", async () => {
    const file = sloOver(healthy);
    const out = join(tempDir(), "nested", "report.json");
    const r = await runCli(["check", file, "--at", AT, "--format", "json", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).version).toBe(1);
    const before = readFileSync(file, "utf8");
    const clash = await runCli(["check", file, "--at", AT, "--out", file]);
    expect(clash.code).toBe(2);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("--out never overwrites a log file the SLOs read, and a path it cannot write is a usage error", async () => {
    const file = sloOver(healthy);
    const log = join(dirname(file), "events.ndjson");
    const before = readFileSync(log, "utf8");
    const clash = await runCli(["check", file, "--at", AT, "--out", log]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("is a log file the SLOs read; refusing to overwrite it");
    expect(readFileSync(log, "utf8")).toBe(before);

    const folder = await runCli(["check", file, "--at", AT, "--out", dirname(file)]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain("it is a folder");
    const underFile = await runCli(["check", file, "--at", AT, "--out", join(log, "report.json")]);
    expect(underFile.code).toBe(2);
    expect(underFile.stderr).toContain("a file is in the way");
    for (const r of [folder, underFile]) expect(r.stderr).not.toContain("internal");
  });

  it("--quiet prints nothing", async () => {
    const r = await runCli(["check", sloOver(healthy), "--at", AT, "--quiet"]);
    expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
  });

  it("reads logs from stdin with paths: [-]", async () => {
    const file = sloOver([]);
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("paths: [events.ndjson]", 'paths: ["-"]'),
    );
    const input = `${healthy.map((l) => JSON.stringify(l)).join("\n")}\n`;
    const r = await runCli(["check", file, "--at", AT, "--format", "json"], { input });
    expect((JSON.parse(r.stdout) as SloReport).slos[0]!.events.total).toBe(100);
  });
});

describe("the examples", () => {
  it("examples/ (native on Prometheus, on an nginx access log, with deploys in its logs and per action with corrections, OpenSLO, Sloth) is valid", async () => {
    const r = await runCli(["validate", "examples/"]);
    expect(r.stderr).toBe("");
    expect(r).toMatchObject({ code: 0, stdout: "6 file(s), 12 SLO(s): valid\n" });
  });
});

describe("the example's logs", () => {
  it("are exactly what the deterministic generator makes", async () => {
    const out = tempDir();
    const { execFileSync } = await import("node:child_process");
    execFileSync(process.execPath, ["--import", "tsx", "scripts/generate-example-logs.ts", out], {
      cwd: ROOT,
    });
    for (const name of ["ctrl-2026-10-24.ndjson.gz", "ctrl-2026-11-16.ndjson.gz"]) {
      expect(
        readFileSync(join(out, name)).equals(readFileSync(join(ROOT, "slos", "logs", name))),
      ).toBe(true);
    }
  });
});
