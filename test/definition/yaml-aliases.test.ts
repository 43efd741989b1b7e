/** slo says which alias yaml refuses, so it must refuse exactly where yaml does. */

import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadText } from "../../src/definition/load.js";
import { firstRefusedAlias } from "../../src/definition/yaml-aliases.js";
import { MAX_YAML_ALIASES } from "../../src/limits.js";

/** `levels` anchored lists, each holding `width` aliases of the one before. */
function laughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill("lol").join(", ")}]`];
  for (let i = 1; i < levels; i++) {
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(", ")}]`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function yamlRefuses(text: string): boolean {
  try {
    parseDocument(text).toJS({ maxAliasCount: MAX_YAML_ALIASES });
    return false;
  } catch {
    return true;
  }
}

describe("aliases past the limit", () => {
  it("are found exactly when yaml refuses the document", () => {
    let refusedSome = false;
    for (let levels = 1; levels <= 5; levels++) {
      for (let width = 1; width <= 12; width++) {
        const text = laughs(levels, width);
        const found = firstRefusedAlias(parseDocument(text), MAX_YAML_ALIASES);
        expect(found !== undefined, `${levels}x${width}`).toBe(yamlRefuses(text));
        refusedSome ||= found !== undefined;
      }
    }
    expect(refusedSome).toBe(true);
  });

  it("an alias bomb is an error at the alias, not a bug in slo", () => {
    const { errors } = loadText("bomb.yaml", laughs(5, 9), {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringMatching(
        new RegExp(`^bomb.yaml:4:\\d+: too many aliases: .* limit of ${MAX_YAML_ALIASES} `),
      ),
    ]);
    expect(errors[0]!.code).toBe("spec");
  });

  it("an alias without an anchor is an error at the alias", () => {
    const { errors } = loadText("a.yaml", "service: svc\nslos: *missing\n", {});
    expect(errors.map((e) => e.format())).toEqual([
      expect.stringContaining("a.yaml:2:7: YAML alias *missing has no anchor &missing before it"),
    ]);
  });
});
