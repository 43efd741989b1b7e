/** A logs source's timestamp option in an SLO file: the forms it takes, and what is refused where. */

import { describe, expect, it } from "vitest";
import { loadText } from "../../src/definition/load.js";
import type { LogsSourceSpec } from "../../src/definition/model.js";
import { nativeDocument } from "../../src/definition/write/native.js";

function file(timestamp: string): string {
  return `service: web
sources:
  nginx:
    type: logs
    paths: [access.log]
    timestamp: ${timestamp}
slos:
  - name: availability
    objective: 99%
    window: 1d
    indicator:
      ratio: { source: nginx, total: '| pattern "<_> <status> <_>"', bad: '| pattern "<_> <status> <_>" | status >= 500' }
`;
}

function load(timestamp: string): { source?: LogsSourceSpec; errors: string[] } {
  const { services, errors } = loadText("slo.yaml", file(timestamp), {});
  return {
    source: services[0]?.sources.nginx as LogsSourceSpec | undefined,
    errors: errors.map((e) => e.format()),
  };
}

describe("timestamp", () => {
  it("is a field name, as before", () => {
    const { source } = load("time");
    expect(source?.timestamp).toBe("time");
    expect(source?.timestampFormat).toBeUndefined();
    expect(source?.timestampFrom).toBeUndefined();
  });

  it("takes a pattern's only capture as the field, and a named format", () => {
    const { source, errors } = load("{ pattern: '<_> [<time>] <_>', format: clf }");
    expect(errors).toEqual([]);
    expect(source).toMatchObject({
      timestamp: "time",
      timestampFormat: "clf",
      timestampFrom: { kind: "pattern", expression: "<_> [<time>] <_>" },
    });
  });

  it("takes a regexp, a field among its groups and a Go layout", () => {
    const { source, errors } = load(
      "{ regexp: '(?P<ip>\\S+) .*\\[(?P<t>[^\\]]+)\\]', field: t, format: '02/Jan/2006:15:04:05 -0700' }",
    );
    expect(errors).toEqual([]);
    expect(source).toMatchObject({
      timestamp: "t",
      timestampFrom: { kind: "regexp", names: ["ip", "t"] },
    });
  });

  const refused: [string, string, string][] = [
    ["{ pattern: '<_> [<time>] <_>', format: '15:04:05' }", "slo.yaml:6:", "needs a year"],
    ["{ pattern: '<ip> [<time>] <_>' }", "slo.yaml:6:", "say which capture holds the time"],
    ["{ pattern: '<ip> [<time>] <_>', field: when }", "slo.yaml:6:", "has no capture 'when'"],
    ["{ pattern: '<a><b>' }", "slo.yaml:6:", "captures side by side"],
    ["{ regexp: '(x)' }", "slo.yaml:6:", "at least one named group"],
    ["{ pattern: '<t>', regexp: '(?P<t>.*)' }", "slo.yaml:6:", "not both"],
    ["{ field: t, colour: red }", "slo.yaml:6:", "colour"],
  ];
  for (const [option, where, what] of refused) {
    it(`refuses ${option}: ${what}`, () => {
      const { errors } = load(option);
      expect(errors.join("\n")).toContain(what);
      expect(errors.join("\n")).toContain(where);
    });
  }

  it("is written back by slo convert as it was read", () => {
    const { services } = loadText(
      "slo.yaml",
      file("{ pattern: '<_> [<time>] <_>', format: clf }"),
      {},
    );
    const written = nativeDocument(services[0]!, { outDir: "." }) as {
      sources: Record<string, { timestamp: unknown }>;
    };
    expect(written.sources.nginx?.timestamp).toEqual({
      pattern: "<_> [<time>] <_>",
      field: "time",
      format: "clf",
    });
  });
});
