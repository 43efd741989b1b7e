import { describe, expect, it } from "vitest";
import { groupEntryName, OTHER_GROUP, promqlStringLiteral } from "../../src/conventions.js";

describe("a grouped SLO's entry name", () => {
  it("names a value group by its labels, in groupBy order", () => {
    expect(
      groupEntryName("availability", {
        kind: "value",
        by: ["action"],
        labels: { action: "CheckBalance" },
      }),
    ).toBe('availability{action="CheckBalance"}');
    expect(
      groupEntryName("availability", {
        kind: "value",
        by: ["region", "action"],
        labels: { action: "X", region: "eu" },
      }),
    ).toBe('availability{region="eu", action="X"}');
  });

  it("names the other group and the whole", () => {
    expect(groupEntryName("availability", { kind: "other", by: ["action"], labels: {} })).toBe(
      `availability{${OTHER_GROUP}}`,
    );
    expect(OTHER_GROUP).toBe("(other)");
    expect(groupEntryName("availability", { kind: "whole", by: ["action"], labels: {} })).toBe(
      "availability",
    );
  });

  it("writes values as PromQL string literals", () => {
    expect(promqlStringLiteral('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(promqlStringLiteral("\u0001é")).toBe('"\\x01é"');
    expect(promqlStringLiteral("")).toBe('""');
    expect(groupEntryName("s", { kind: "value", by: ["action"], labels: { action: '"}' } })).toBe(
      's{action="\\"}"}',
    );
  });
});
