/** The Action's inputs: defaults repeated from action.yml, lists, booleans, and clear errors. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseInputs } from "../../src/action/main.js";
import { OUTPUT_NAMES } from "../../src/github/outputs.js";
import { ROOT } from "../support/cli.js";

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
      const value = inputs[key];
      const shown = Array.isArray(value) ? value.join(",") : value;
      const expected =
        spec.default === "true" ? true : spec.default === "false" ? false : spec.default;
      expect([name, shown]).toEqual([name, expected]);
    }
    expect(inputs.token).toBeUndefined();
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
  });
});

describe("action.yml", () => {
  it("runs the bundle on node24 and declares every output the reporters set", () => {
    expect(actionYml.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(Object.keys(actionYml.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
  });
});
