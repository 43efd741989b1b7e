/**
 * The differential test: the same lines in a log file and in the real Loki
 * 2.7.5, and a few hundred LogQL queries generated from a grammar of what
 * slo supports, each counted by the logs source and by Loki over the same
 * windows. The counts must be identical, or the difference must be one of
 * DELIBERATE_DIFFERENCES below, each an entry of docs/file-format.md's
 * "Deliberate differences from Loki".
 *
 * Loki is asked what the Loki source asks it: the metric query of
 * countQuery (`sum(count_over_time(<q> | __error__="" [W]))` at end + 1ns).
 * A query that reads __error__ is asked as a log query instead, since
 * Loki's metric query fails whole when an errored line comes out of it
 * (the first deliberate difference).
 *
 * The generator is seeded: set SLO_DIFF_SEED to replay a run; a failure
 * prints the seed, the query and both counts. SLO_DIFF_QUERIES (a JSON list)
 * compares those queries instead, over the same lines.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../../scripts/mulberry32.js";
import { parseHumanBytes } from "../../../src/definition/logql/literals.js";
import { type RunningLoki, requireLoki, startLoki } from "../../support/loki.js";
import { HOUR, MINUTE, T, window } from "./helpers.js";
import {
  inBatches,
  logsSourceCounts,
  lokiLogQueryCount,
  lokiMetricCount,
  READS_ERRORS,
  storeLines,
  type TimedLine,
} from "./loki-counts.js";

const SEED = Number(process.env.SLO_DIFF_SEED ?? 20261206);
const QUERIES = 320;
const LINES = 240;
const LOKI_REQUESTS_AT_ONCE = 8;
const STREAM = { app: "diff", env: "test" };
const WINDOWS = [window("1h", HOUR), window("5m", 5 * MINUTE)];

const binary = await requireLoki("differential test, logs file against the real Loki");
let loki: RunningLoki;
let dir: string;

beforeAll(async () => {
  if (!binary) return;
  loki = await startLoki(binary);
  dir = await storeLines(loki, STREAM, lines(mulberry32(SEED)));
}, 60_000);

afterAll(async () => {
  await loki?.stop();
});

// ---------------------------------------------------------------------------
// The lines

type Random = () => number;
const pick = <V>(random: Random, values: readonly V[]): V =>
  values[Math.floor(random() * values.length)]!;
const chance = (random: Random, p: number) => random() < p;

/** Numbers past a double's precision, written into the line as their digits. */
class Digits {
  constructor(readonly text: string) {}
}

/** JSON values for each field: numbers, the same as strings, text where numbers are compared, nothing. */
const FIELD_VALUES: Record<string, readonly unknown[]> = {
  status: [200, 201, 404, 500, 503, 504, "503", "500", "abc", "", true, null, 500.5, "5e2"],
  latency: [0.05, 0.3, 2, "300ms", "1.5s", "2m", "250ms", "abc", "", "10"],
  size: [512, 2048, "1KB", "10KB", "1MiB", "3 MB", "512B", "big", 1e6],
  level: ["info", "error", "warn", "ERROR", "débug", ""],
  msg: [
    "hello",
    "héllo wörld",
    "日本語のログ",
    "emoji 🚀 launch",
    "timeout after 30s",
    'quote "x"',
  ],
  id: [
    new Digits("12345678901234567890"),
    new Digits("12345678901234567891"),
    "12345678901234567890",
    42,
    "042",
  ],
  "dot.key": ["v", "w", 1],
  "dash-key": ["v", "x"],
  app: ["inner", "diff"],
  req: [
    { method: "GET", status: 500 },
    { method: "POST", status: "200" },
    { method: "GET", path: { full: "/api/v1" } },
    {},
  ],
  tags: [[1, 2], ["a", { b: "c" }], []],
};

/** A line without JSON, in logfmt or plain text, its time as the logs source reads it (`t=`). */
const TEXT_LINES: readonly string[] = [
  'level=error status=503 latency=300ms msg="héllo wörld"',
  "level=info status=200 latency=0.05 size=2KB",
  "level=warn status=abc latency=abc",
  "status= level=error",
  "level=info level=debug status=404",
  'msg="unterminated status=500',
  "user-agent=curl dot.key=v status=500",
  "plain text ERROR 日本語 status 503",
  "GET /api/v1 HTTP/1.1 500 1234",
];

function jsonLine(random: Random, t: string): string {
  const fields = [`"t":${JSON.stringify(t)}`];
  for (const [key, values] of Object.entries(FIELD_VALUES)) {
    if (!chance(random, 0.55)) continue;
    const value = pick(random, values);
    const text = value instanceof Digits ? value.text : JSON.stringify(value);
    fields.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}

/** Spread over the hour before T, more of them in its last 5 minutes, and one on each window's edge. */
function lines(random: Random): TimedLine[] {
  const times = [T, T - HOUR, T - 5 * MINUTE, T - HOUR + 1];
  while (times.length < LINES) {
    const span = chance(random, 0.4) ? 5 * MINUTE : HOUR;
    times.push(T - Math.floor(random() * span));
  }
  return times
    .sort((a, b) => a - b)
    .map((ms) => {
      const t = new Date(ms).toISOString();
      const line = chance(random, 0.25)
        ? `t=${t} ${pick(random, TEXT_LINES)}`
        : jsonLine(random, t);
      return [ms, line];
    });
}

// ---------------------------------------------------------------------------
// The queries: a grammar of the LogQL slo supports

const SELECTORS = [
  '{app="diff"}',
  '{app=~"d.ff"}',
  '{env="test", app!="other"}',
  '{app=~".+", env!~"prod|staging"}',
];

const LINE_FILTERS = [
  '|= "error"',
  '!= "error"',
  '|= "status"',
  '|= "héllo"',
  '|= "日本語"',
  '!= "\\"status\\":503"',
  '|~ "status.?[=:]\\"?50[0-9]"',
  "|~ `(?i)error`",
  '!~ "level=(info|debug)"',
  "|~ `\\p{Han}+`",
  '|~ "^\\\\{"',
  "!~ `[[:digit:]]{20}`",
  '|~ "🚀"',
];

const PARSERS = ["| json", "| logfmt"] as const;

/** Label names the parsers give: sanitised keys, nested keys joined, the stream's own labels. */
const STRING_FILTERS = [
  'level = "error"',
  'level != "info"',
  'level =~ "(?i)error|warn"',
  'level !~ "e.*"',
  'status = "503"',
  'status = ""',
  'status != ""',
  'status =~ "5.."',
  'status = "5e2"',
  'latency = "300ms"',
  'msg =~ ".*wörld"',
  'msg = "日本語のログ"',
  'msg =~ ".*🚀.*"',
  'id = "12345678901234567890"',
  'id =~ "1234567890123456789[01]"',
  'dot_key = "v"',
  'dash_key = "v"',
  'user_agent = "curl"',
  'req_method = "GET"',
  'req_status = "500"',
  'req_path_full = "/api/v1"',
  'tags = ""',
  'app = "diff"',
  'app_extracted = "inner"',
  'env = "test"',
];

const NUMBER_FILTERS = [
  "status >= 500",
  "status == 503",
  "status != 200",
  "status < 300",
  "status > 499.9",
  "req_status >= 500",
  "id > 12345678901234567000",
  "id == 42",
  "dot_key > 0",
  "latency > 250ms",
  "latency <= 1s",
  "latency >= 2m",
  "latency < 100ms",
  "size > 1KB",
  "size <= 2KiB",
  "size >= 1MB",
  "size < 600B",
  "size == 2048B",
  "size > 1.5KiB",
  "size == 2KB",
];

function labelFilter(random: Random, depth: number): string {
  if (depth > 0 && chance(random, 0.45)) {
    const left = labelFilter(random, depth - 1);
    const right = labelFilter(random, depth - 1);
    const join = pick(random, [" and ", " or ", ", ", " "]);
    const joined = `${left}${join}${right}`;
    return chance(random, 0.3) ? `(${joined})` : joined;
  }
  return chance(random, 0.5) ? pick(random, STRING_FILTERS) : pick(random, NUMBER_FILTERS);
}

const ERROR_FILTERS = [
  '| __error__ = ""',
  '| __error__ != ""',
  '| __error__ = "JSONParserErr"',
  '| __error__ = "LabelFilterErr"',
  '| __error__ = "LogfmtParserErr"',
  '| __error__ =~ "(JSON|Logfmt)ParserErr"',
];

function query(random: Random): string {
  const stages: string[] = [];
  const lineFilters = Math.floor(random() * 3);
  for (let i = 0; i < lineFilters; i++) stages.push(pick(random, LINE_FILTERS));
  if (chance(random, 0.85)) stages.push(pick(random, PARSERS));
  const labelFilters = Math.floor(random() * 3);
  for (let i = 0; i < labelFilters; i++) stages.push(`| ${labelFilter(random, 2)}`);
  if (chance(random, 0.2))
    stages.splice(1 + Math.floor(random() * stages.length), 0, pick(random, ERROR_FILTERS));
  if (chance(random, 0.15)) stages.push(pick(random, LINE_FILTERS));
  return [pick(random, SELECTORS), ...stages].join(" ");
}

function queries(random: Random): string[] {
  const out = new Set<string>();
  while (out.size < QUERIES) out.add(query(random));
  return [...out];
}

// ---------------------------------------------------------------------------
// Deliberate differences: each one an entry of docs/file-format.md

interface Difference {
  name: string;
  /** why slo counts differently, as docs/file-format.md says */
  reason: string;
  /**
   * The query as Loki reads it, written so that slo reads it alike, or null
   * where the difference does not apply: a difference is explained only
   * when slo's count of this equals Loki's count of the original.
   */
  asLokiReadsIt(query: string): string | null;
}

/** A byte size compared in a label filter: `size <= 2KiB`. */
const BYTES_LITERAL =
  /([|,(\s][A-Za-z_]\w*\s*(?:==|!=|>=|<=|>|<)\s*)(\d+(?:\.\d+)?[KMGTPE]?i?B)(?=[\s|)]|$)/;

/**
 * What Loki 2.7.5 compares with: the size as go-humanize's Bytes writes it
 * (SI units, one decimal under 10), read back as ParseBytes reads it.
 */
function lokiRoundedBytes(bytes: number): number {
  if (bytes < 10) return bytes;
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  const written = value < 10 ? value.toFixed(1) : value.toFixed(0);
  return Math.trunc(Number(written) * 1000 ** exponent);
}

const DELIBERATE_DIFFERENCES: Difference[] = [
  {
    name: "byte sizes in a query rounded by Loki",
    reason:
      "Loki 2.7.5 compares with a byte size rounded to go-humanize's SI form " +
      "(2KiB and 2048B as 2.0 kB = 2000, 1GiB as 1.1 GB); slo compares with the size as written",
    asLokiReadsIt: (query) =>
      BYTES_LITERAL.test(query)
        ? query.replace(
            new RegExp(BYTES_LITERAL.source, "g"),
            (_, before: string, size: string) =>
              `${before}${lokiRoundedBytes(parseHumanBytes(size)!)}B`,
          )
        : null,
  },
];

// ---------------------------------------------------------------------------

type Counts = Record<string, number> | string;

interface Compared {
  query: string;
  asked: "metric" | "log";
  slo: Counts;
  loki: Counts;
}

async function lokiCounts(query: string): Promise<Counts> {
  const out: Record<string, number> = {};
  try {
    for (const w of WINDOWS) {
      out[w.key] = READS_ERRORS.test(query)
        ? await lokiLogQueryCount(loki, query, w)
        : await lokiMetricCount(loki, query, w);
    }
  } catch (error) {
    return (error as Error).message;
  }
  return out;
}

const same = (a: Counts, b: Counts) => JSON.stringify(a) === JSON.stringify(b);

/** The deliberate difference that explains c: slo, asked the query as Loki reads it, counts what Loki counts. */
async function explanation(c: Compared): Promise<Difference | undefined> {
  for (const difference of DELIBERATE_DIFFERENCES) {
    const rewritten = difference.asLokiReadsIt(c.query);
    if (rewritten === null) continue;
    const [slo] = await logsSourceCounts(dir, STREAM, [rewritten], WINDOWS);
    if (same(slo!, c.loki)) return difference;
  }
  return undefined;
}

describe.skipIf(!binary)(
  "differential: the logs source and the real Loki, generated queries",
  () => {
    it(`counts ${QUERIES} generated queries as Loki does (seed ${SEED})`, async () => {
      const generated = process.env.SLO_DIFF_QUERIES
        ? (JSON.parse(process.env.SLO_DIFF_QUERIES) as string[])
        : queries(mulberry32(SEED + 1));
      const fromSlo = await logsSourceCounts(dir, STREAM, generated, WINDOWS);
      const fromLoki = await inBatches(generated, LOKI_REQUESTS_AT_ONCE, lokiCounts);
      const compared: Compared[] = generated.map((query, i) => ({
        query,
        asked: READS_ERRORS.test(query) ? "log" : "metric",
        slo: fromSlo[i]!,
        loki: fromLoki[i]!,
      }));
      const differing = compared.filter((c) => !same(c.slo, c.loki));
      const explained = new Map<string, Compared[]>();
      const unexplained: Compared[] = [];
      for (const c of differing) {
        const difference = await explanation(c);
        if (difference)
          explained.set(difference.name, [...(explained.get(difference.name) ?? []), c]);
        else unexplained.push(c);
      }
      const identical = compared.length - differing.length;
      console.info(
        `differential (seed ${SEED}): ${compared.length} queries, ${identical} identical, ` +
          `${[...explained].map(([name, list]) => `${list.length} ${name}`).join(", ") || "no deliberate differences"}; ` +
          `${compared.filter((c) => c.asked === "log").length} asked as log queries`,
      );
      for (const c of process.env.SLO_DIFF_QUERIES ? compared : unexplained) {
        console.error(
          `seed ${SEED}: ${c.query}\n  slo:  ${JSON.stringify(c.slo)}\n  loki: ${JSON.stringify(c.loki)}`,
        );
      }
      expect(
        unexplained.map(({ query, slo, loki }) => ({ seed: SEED, query, slo, loki })),
        "unexplained differences",
      ).toEqual([]);
      // the lines and the grammar reach far: counts of all sizes, and errors read where asked
      const hourCounts = compared.flatMap((c) => (typeof c.slo === "string" ? [] : [c.slo["1h"]!]));
      expect(new Set(hourCounts).size).toBeGreaterThan(20);
      expect(hourCounts.filter((n) => n > 0).length).toBeGreaterThan(generated.length / 4);
      expect(compared.filter((c) => c.asked === "log").length).toBeGreaterThan(0);
    }, 120_000);
  },
);
