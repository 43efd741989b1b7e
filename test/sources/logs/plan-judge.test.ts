/**
 * The plan judge (the fast path's counting of plain queries) must count
 * exactly as the general path: random lines, random queries of the plain
 * shape and of shapes just outside it (which fall back), counted with the
 * fast path and with JSON.parse.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLogQuery } from "../../../src/definition/logql/parse.js";
import { compileQuery } from "../../../src/sources/logs/evaluation/compiled-query.js";
import { Evaluator } from "../../../src/sources/logs/evaluation/evaluator.js";
import { evaluatorEvents } from "../../../src/sources/logs/evaluation/evaluator-events.js";
import { plainQueryOf } from "../../../src/sources/logs/evaluation/plain-query.js";
import { PlanJudge } from "../../../src/sources/logs/evaluation/plan-judge.js";
import {
  planRequest,
  type RequestPlan,
} from "../../../src/sources/logs/evaluation/request-plan.js";
import { FastLine } from "../../../src/sources/logs/fast-path/fast-line.js";
import { JsonExtractor } from "../../../src/sources/logs/fast-path/json-extractor.js";
import { LineSplitter } from "../../../src/sources/logs/reading/line-splitter.js";
import type { CountRequest } from "../../../src/sources/types.js";
import { DAY, HOUR, latency, logsSpec, MINUTE, ratio, request, T, window } from "./helpers.js";

const STREAM = { app: "ctrl" };

function plainOf(text: string, skip = 0) {
  const parsed = parseLogQuery(text, { requireSelector: false });
  if (!parsed.ok) throw new Error(parsed.message);
  return plainQueryOf(parsed.query, STREAM, skip, (v) => Buffer.from(v));
}

describe("the plain shape of a query", () => {
  it("is json then string = / != and numeric tests joined by and", () => {
    const plain = plainOf('{app="ctrl"} | json | msg = "m" | status >= 500 and a_b != ""');
    expect(plain?.tests.map((t) => t.kind)).toEqual(["is", "number", "is"]);
    expect(plainOf("| json")?.tests).toEqual([]);
    // a stream label's name read after | json is the parsed key renamed
    expect(plainOf('| json | app_extracted = "x"')?.tests[0]).toMatchObject({ key: "app" });
  });

  it("is not what reads more than json labels, or reads them otherwise", () => {
    for (const text of [
      '| json | msg =~ "m.*"',
      '| json | msg = "a" or msg = "b"',
      '| json | __error__ = ""',
      '| json | app = "ctrl"',
      "| json | d > 250ms",
      "| json | size > 2KB",
      '|= "x" | json',
      '| logfmt | msg = "m"',
      '| json | msg = "m" | logfmt',
      '| msg = "m" | json',
      "| json | json",
      '| pattern "<a> <b>" | json',
      '{app="ctrl"}',
    ]) {
      expect({ text, plain: plainOf(text) }).toEqual({ text, plain: null });
    }
  });

  it("leaves out the leading stages known to pass", () => {
    expect(plainOf('|= "x" | json | msg = "m" | status > 1', 3)?.tests).toHaveLength(1);
  });
});

describe("which plans the judge covers", () => {
  const spec = logsSpec(["-"]);
  function judgeOf(req: CountRequest): PlanJudge | null {
    const plan = planRequest(req, spec) as RequestPlan;
    const queries = plan.kind === "ratio" ? [plan.total, plan.bad ?? plan.good!] : [plan.events];
    const extractor = new JsonExtractor({
      flat: [...queries.flatMap((q) => [...q.jsonLabels]), "t", "d"],
      raw: ["t", "d"],
      equals: queries.flatMap((q) => q.jsonEquals),
    });
    return PlanJudge.of(plan, extractor, new FastLine(extractor, STREAM));
  }

  it("judges ratios and latencies of plain queries, and nothing else", () => {
    expect(
      judgeOf(request(ratio({ total: '| json | msg = "m"', bad: "| json | s > 1" }))),
    ).not.toBe(null);
    expect(judgeOf(request(ratio({ total: '{app="x"} | json', good: "| json" })))).not.toBe(null);
    expect(judgeOf(request(latency('| json | msg != "m"', "d", 300)))).not.toBe(null);
    expect(judgeOf(request(ratio({ total: "| json", bad: '| json | m =~ "x"' })))).toBe(null);
    expect(judgeOf(request(latency("| logfmt", "d", 300)))).toBe(null);
  });

  it("leaves a query that compileQuery did not make plain to the general path", () => {
    const query = parseLogQuery('| json | msg = "m" or x = 1', { requireSelector: false });
    if (!query.ok) throw new Error(query.message);
    expect(compileQuery(query.query, STREAM).plain).toBe(null);
  });
});

// ---- random lines and queries: the judge against JSON.parse ----

const KEYS = ["msg", "status", "d", "a"] as const;
const TEXTS = ["m", "", "x", "é", "a\\nb", "500", "2.5", "250ms", "1e400", "\ufffd"];

const jsonValue = fc.oneof(
  fc.constantFrom(...TEXTS).map((s) => `"${s}"`),
  fc.constantFrom("0", "1", "500", "299.5", "300", "-1", "1e400", "2.5e2", "12345678901234567890"),
  fc.constantFrom("true", "false", "null", "[]", '{"b":"m"}', '{"b":500}'),
);

const time = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .integer({ min: -2 * DAY, max: HOUR })
      .map((d) => `"${new Date(T + d).toISOString()}"`),
  },
  fc.constantFrom(
    '"not a time"',
    `${Math.floor((T - MINUTE) / 1000)}`,
    '"2026-11-24T11:00:00.123456789+01:00"',
  ),
);

const numberText = fc.constantFrom("1", "500", "299.5", "300", "-1", "2.5e2", "1e400");
/** each key mostly present, numbers mostly where numbers are compared; now and then a repeated key */
const line = fc
  .record({
    t: fc.option(time, { nil: undefined, freq: 10 }),
    msg: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constant('"m"') }, jsonValue), { freq: 5 }),
    status: fc.option(fc.oneof({ weight: 3, arbitrary: numberText }, jsonValue), { freq: 5 }),
    d: fc.option(fc.oneof({ weight: 3, arbitrary: numberText }, jsonValue), { freq: 5 }),
    a: fc.option(jsonValue, { freq: 3 }),
    repeated: fc.array(fc.tuple(fc.constantFrom(...KEYS), jsonValue), { maxLength: 1 }),
  })
  .map(({ t, repeated, ...fields }) => {
    const members = Object.entries(fields)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `"${k}":${v}`);
    members.push(...repeated.map(([k, v]) => `"${k}":${v}`));
    if (t !== undefined) members.unshift(`"t":${t}`);
    return Buffer.from(`{${members.join(",")}}`);
  });

const label = fc.constantFrom("msg", "status", "d", "a_b", "app_extracted", "missing");
const plainTest = fc.oneof(
  fc
    .tuple(label, fc.constantFrom("=", "!="), fc.constantFrom("m", ...TEXTS))
    .map(([l, op, v]) => `${l} ${op} "${v}"`),
  fc
    .tuple(
      fc.constantFrom("status", "d", "a_b"),
      fc.constantFrom("==", "!=", ">", ">=", "<", "<="),
      fc.constantFrom(1, 299.5, 500),
    )
    .map(([l, op, v]) => `${l} ${op} ${v}`),
);
/** a test just outside the plain shape: the plan falls back */
const otherTest = fc.constantFrom(
  'msg =~ "m.*"',
  "d > 250ms",
  'msg = "m" or status > 1',
  '__error__ = ""',
);
const filters = fc
  .array(fc.oneof({ weight: 6, arbitrary: plainTest }, otherTest), { maxLength: 2 })
  .map((tests) => tests.map((t) => ` | ${t}`).join(""));
const selector = fc.constantFrom("", '{app="ctrl"} ', '{app="other"} ');
const query = fc.tuple(selector, filters).map(([s, f]) => `${s}| json${f}`);

const windows = [window("5m", 5 * MINUTE), window("1h", HOUR), window("1d", DAY)];
const series = [{ key: "h", startMs: T - DAY, stepMs: HOUR, count: 24 }];
const extra = fc.record({ breakdown: fc.boolean() }).map(({ breakdown }) => ({
  windows,
  series,
  ...(breakdown ? { breakdown: { by: "msg", limit: 5 } } : {}),
}));

const countRequest: fc.Arbitrary<CountRequest> = fc.oneof(
  fc
    .tuple(query, query, fc.boolean(), extra)
    .map(([total, role, bad, x]) =>
      request(ratio(bad ? { total, bad: role } : { total, good: role }), x),
    ),
  fc
    .tuple(query, fc.constantFrom(300, 0.3), fc.constantFrom("ms", "s" as const), extra)
    .map(([events, threshold, unit, x]) => request(latency(events, "d", threshold, unit), x)),
);

function countWith(fastPath: boolean, requests: CountRequest[], lines: Buffer[]) {
  const spec = logsSpec(["-"]);
  const plans = requests.map((r) => planRequest(r, spec) as RequestPlan);
  const evaluator = new Evaluator(plans, spec, { fastPath });
  const splitter = new LineSplitter(evaluatorEvents(evaluator, "x", true), evaluator.readBuffers);
  splitter.push(Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
  splitter.end();
  return {
    diagnostics: evaluator.diagnostics,
    tallies: evaluator.tallies.map((t) => ({
      windows: t.windows(),
      series: t.series(),
      breakdown: t.breakdown(),
      missing: t.state.missingField,
    })),
  };
}

describe("the judge counts as the general path", () => {
  it("over random lines and queries", () => {
    fc.assert(
      fc.property(
        fc.array(countRequest, { minLength: 1, maxLength: 3 }),
        fc.array(line, { maxLength: 40 }),
        (requests, lines) => {
          expect(countWith(true, requests, lines)).toEqual(countWith(false, requests, lines));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("on the bench's queries", () => {
    const q = '{app="ctrl"} | json | msg = "m"';
    const requests = [
      request(ratio({ total: `${q} | a_b = "x"`, bad: `${q} | a_b = "x" | status >= 500` }), {
        windows,
        series,
        breakdown: { by: "msg", limit: 5 },
      }),
      request(latency(q, "d", 300), { windows, series }),
    ];
    const at = (m: number) => new Date(T - m * MINUTE).toISOString();
    const lines = [
      `{"t":"${at(1)}","msg":"m","a":{"b":"x"},"status":200,"d":12.5}`,
      `{"t":"${at(2)}","msg":"m","a":{"b":"x"},"status":503,"d":301}`,
      `{"t":"${at(3)}","msg":"m","a":{"b":"y"},"status":"500","d":"250ms"}`,
      `{"t":"${at(4)}","msg":"m","d":1e400}`,
      `{"t":"${at(5)}","msg":"n","d":1}`,
      `{"t":"${at(6)}","msg":"m","a":{"b":"x"},"status":500,"d":300}`,
    ].map((l) => Buffer.from(l));
    const fast = countWith(true, requests, lines);
    expect(fast).toEqual(countWith(false, requests, lines));
    expect(fast.tallies[0]!.windows["1h"]).toEqual({ good: 1, total: 3 });
    expect(fast.tallies[1]!.windows["1h"]).toEqual({ good: 3, total: 4 });
    expect(fast.tallies[1]!.missing).toBe(1);
  });
});
