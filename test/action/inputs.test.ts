/** The Action's inputs: defaults repeated from action.yml, lists, booleans, and clear errors. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseInputs } from "../../src/action/main.js";
import { DEFAULT_GITHUB_API, DEFAULT_VERIFY } from "../../src/defaults.js";
import { OUTPUT_NAMES } from "../../src/github/outputs.js";
import { ROOT } from "../support/cli.js";

interface Workflow {
  on: unknown;
  jobs: Record<
    string,
    { if?: string; steps?: { id?: string; uses?: string; with?: Record<string, unknown> }[] }
  >;
}

const from = (values: Record<string, string>) => (name: string) => values[name] ?? "";
const actionYml = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
};

describe("parseInputs", () => {
  it("applies action.yml's defaults when an input is empty", () => {
    const inputs = parseInputs(from({}));
    for (const [name, spec] of Object.entries(actionYml.inputs)) {
      if (spec.default === undefined || spec.default.startsWith("${{")) continue;
      const key = name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof typeof inputs;
      // mode: verify's inputs are typed (numbers, durations): the next test checks them.
      if (!(key in inputs)) continue;
      const value = inputs[key];
      const shown = Array.isArray(value) ? value.join(",") : value;
      const expected =
        spec.default === "true" ? true : spec.default === "false" ? false : spec.default;
      expect([name, shown]).toEqual([name, expected]);
    }
    expect(inputs.token).toBeUndefined();
  });

  it("mode: verify's defaults are DEFAULT_VERIFY's, and action.yml's say the same", () => {
    const defaults = Object.fromEntries(
      Object.entries(actionYml.inputs)
        .filter(([, spec]) => spec.default !== undefined && !spec.default.startsWith("${{"))
        .map(([name, spec]) => [name, spec.default!]),
    );
    expect(parseInputs(from(defaults))).toEqual(parseInputs(from({})));
    expect(parseInputs(from({})).verify).toEqual({
      forMs: undefined,
      baseline: DEFAULT_VERIFY.baseline,
      confidence: DEFAULT_VERIFY.confidence,
      minBurn: DEFAULT_VERIFY.minBurn,
      minIncrease: DEFAULT_VERIFY.minIncrease,
      wait: false,
      intervalMs: DEFAULT_VERIFY.intervalMs,
      failOnInconclusive: false,
    });
    expect(DEFAULT_VERIFY.failOn).toBe("regressed");
    expect(parseInputs(from({})).mode).toBe("gate");
  });

  it("reads mode: verify's inputs as slo verify reads its options", () => {
    const inputs = parseInputs(
      from({
        mode: "verify",
        environment: "production",
        for: "30m",
        baseline: "both",
        confidence: "0.95",
        "min-burn": "3",
        "min-increase": "2",
        wait: "true",
        interval: "2m",
        "fail-on-inconclusive": "true",
      }),
    );
    expect(inputs.mode).toBe("verify");
    expect(inputs.environment).toBe("production");
    expect(inputs.verify).toEqual({
      forMs: 30 * 60_000,
      baseline: "both",
      confidence: 0.95,
      minBurn: 3,
      minIncrease: 2,
      wait: true,
      intervalMs: 2 * 60_000,
      failOnInconclusive: true,
    });
  });

  it("github-deadline: a duration, 60s by default as DEFAULT_GITHUB_API says", () => {
    expect(parseInputs(from({})).githubDeadlineMs).toBe(DEFAULT_GITHUB_API.deadlineMs);
    expect(actionYml.inputs["github-deadline"]!.default).toBe("60s");
    expect(parseInputs(from({ "github-deadline": "90s" })).githubDeadlineMs).toBe(90_000);
    expect(parseInputs(from({ "github-deadline": "2m" })).githubDeadlineMs).toBe(120_000);
    expect(() => parseInputs(from({ "github-deadline": "soon" }))).toThrow(
      "github-deadline soon: expected a duration above zero",
    );
  });

  it("splits config on lines and commas", () => {
    expect(parseInputs(from({ config: "slos/api.yaml\nslos/web/, other.yml\n" })).config).toEqual([
      "slos/api.yaml",
      "slos/web/",
      "other.yml",
    ]);
  });

  it("names the input that is wrong", () => {
    expect(() => parseInputs(from({ comment: "yes" }))).toThrow(
      'comment "yes": expected true or false',
    );
    expect(() => parseInputs(from({ "on-source-error": "ignore" }))).toThrow(
      "on-source-error ignore: expected one of error, pass, fail",
    );
    expect(() => parseInputs(from({ at: "yesterday" }))).toThrow(
      "at yesterday: expected an RFC 3339 time",
    );
    expect(parseInputs(from({ at: "2026-11-24T12:00:00Z" })).at).toBe("2026-11-24T12:00:00Z");
    expect(() => parseInputs(from({ mode: "deploy" }))).toThrow(
      "mode deploy: expected one of gate, verify",
    );
    expect(() => parseInputs(from({ for: "soon" }))).toThrow(
      /^for soon: expected a duration above zero, like /,
    );
    expect(() => parseInputs(from({ confidence: "99%" }))).toThrow(
      "confidence 99%: expected a number from 0.5 to 0.999999",
    );
    expect(() => parseInputs(from({ baseline: "yesterday" }))).toThrow(
      "baseline yesterday: expected one of before, week, both",
    );
  });
});

describe("action.yml", () => {
  it("the workflows in docs/github-action.md give the Action only inputs it has, and read outputs it sets", () => {
    const doc = readFileSync(join(ROOT, "docs/github-action.md"), "utf8");
    const workflows = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => parse(m[1]!) as Workflow)
      .filter((w) => w && typeof w === "object" && "jobs" in w);
    const steps = workflows.flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? []));
    const ours = steps.filter((step) => step.uses === "your-org/slo@v1");
    expect(ours.length).toBeGreaterThan(0);
    const unknown = ours.flatMap((step) =>
      Object.keys(step.with ?? {}).filter((name) => !(name in actionYml.inputs)),
    );
    expect(unknown).toEqual([]);
    const ids = new Set(ours.map((step) => step.id).filter(Boolean));
    const read = [...doc.matchAll(/steps\.([a-z-]+)\.outputs\.([a-z-]+)/g)]
      .filter((m) => ids.has(m[1]!))
      .map((m) => m[2]!);
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((name) => !(name in actionYml.outputs))).toEqual([]);
    // verify runs on the deployment_status that says success; the rollback on slo's failure.
    const onStatus = workflows.filter((w) => w.on === "deployment_status");
    const conditions = onStatus.flatMap((w) => Object.values(w.jobs).map((j) => j.if ?? ""));
    expect(conditions).toEqual([
      "github.event.deployment_status.state == 'success'",
      "github.event.deployment_status.state == 'failure' && startsWith(github.event.deployment_status.description, 'slo verify:')",
    ]);
  });

  it("the workflows of the README and the docs give the Action only inputs it has, and read outputs it sets", () => {
    const workflowsOf = (file: string) =>
      [...readFileSync(join(ROOT, file), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((m) => parse(m[1]!) as Workflow)
        .filter((w) => w && typeof w === "object" && "jobs" in w);
    const stepsOf = (workflows: Workflow[]) =>
      workflows
        .flatMap((w) => Object.values(w.jobs).flatMap((job) => job.steps ?? []))
        .filter((step) => step.uses === "your-org/slo@v1");
    // the README shows the gate before the deploy job; the docs verify on deployment_status too
    const readme = stepsOf(workflowsOf("README.md"));
    expect(readme.map((step) => step.with?.mode ?? "gate")).toEqual(["gate"]);
    const docs = stepsOf(workflowsOf("docs/github-action.md"));
    expect(docs.map((step) => step.with?.mode ?? "gate")).toContain("verify");
    expect(
      [...readme, ...docs].flatMap((step) =>
        Object.keys(step.with ?? {}).filter((name) => !(name in actionYml.inputs)),
      ),
    ).toEqual([]);
    // every output read of a step running the Action (its id: slo or verify) is one it sets
    const text = ["README.md", "docs/github-action.md", "docs/verify.md"]
      .map((f) => readFileSync(join(ROOT, f), "utf8"))
      .join("\n");
    const ids = new Set([...readme, ...docs].map((step) => step.id).filter(Boolean));
    const read = [...text.matchAll(/steps\.([a-z-]+)\.outputs\.([a-z-]+)/g)]
      .filter((m) => ids.has(m[1]!))
      .map((m) => m[2]!);
    expect(read).toContain("verdict");
    expect(read.filter((name) => !(name in actionYml.outputs))).toEqual([]);
  });

  it("docs/github-action.md lists every input and every output", () => {
    const doc = readFileSync(join(ROOT, "docs/github-action.md"), "utf8");
    const rows = new Set([...doc.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]));
    const missing = [...Object.keys(actionYml.inputs), ...Object.keys(actionYml.outputs)].filter(
      (name) => !rows.has(name),
    );
    expect(missing).toEqual([]);
  });

  it("runs the bundle on node24 and declares every output the reporters set", () => {
    expect(actionYml.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
  });
});
