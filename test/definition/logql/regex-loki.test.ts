/**
 * The table of Go's regexp behaviour (regex-go-cases.ts) checked against
 * the real Loki 2.7.5: each case's subject is pushed as a line of its own
 * stream (or as the value v of a JSON line, for label matchers) and queried
 * with the pattern. Loki answers 400 for a pattern Go rejects.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nanos, type RunningLoki, requireLoki, startLoki } from "../../support/loki.js";
import { GO_REGEX_CASES, type GoRegexCase } from "./regex-go-cases.js";

const binary = await requireLoki("regexes on the real Loki");
let loki: RunningLoki;
const pushedAt = Date.now() - 60_000;

beforeAll(async () => {
  if (!binary) return;
  loki = await startLoki(binary);
  await loki.push(
    GO_REGEX_CASES.map((c, i) => ({
      stream: { suite: "regex", case: String(i) },
      values: [[nanos(pushedAt), lineOf(c)]],
    })),
  );
});

afterAll(async () => {
  await loki?.stop();
});

function lineOf(c: GoRegexCase): string {
  const subject = "subject" in c ? c.subject : "x";
  return c.use === "label" ? JSON.stringify({ v: subject }) : subject;
}

function queryOf(c: GoRegexCase, i: number): string {
  const selector = `{suite="regex", case="${i}"}`;
  if (c.use === "label") return `${selector} | json | v =~ \`${c.pattern}\``;
  if ("group" in c) return `${selector} | regexp \`${c.pattern}\` | x = "${c.group}"`;
  return `${selector} |~ \`${c.pattern}\``;
}

/** Loki's verdict in the table's terms: rejected (400), or how many lines it returned. */
async function lokiVerdict(c: GoRegexCase, i: number): Promise<"rejected" | number> {
  const params = new URLSearchParams({
    query: queryOf(c, i),
    start: nanos(pushedAt - 600_000),
    end: nanos(pushedAt + 120_000),
    limit: "10",
  });
  const response = await fetch(`${loki.url}/loki/api/v1/query_range`, {
    method: "POST",
    body: params,
  });
  const text = await response.text();
  // A label matcher's bad regex is a 400; a line filter's reaches the querier, which answers 500.
  if (!response.ok && text.includes("error parsing regexp")) return "rejected";
  if (!response.ok) throw new Error(`Loki: HTTP ${response.status} ${text}`);
  const body = JSON.parse(text) as { data: { result: { values: unknown[] }[] } };
  return body.data.result.reduce((n, stream) => n + stream.values.length, 0);
}

function expectedVerdict(c: GoRegexCase): "rejected" | number {
  if ("rejectedAt" in c) return "rejected";
  if ("group" in c) return 1;
  return c.matches ? 1 : 0;
}

describe.skipIf(!binary)("Go's regexp behaviour, as the real Loki 2.7.5 shows it", () => {
  it.each(
    GO_REGEX_CASES.map(
      (c, i) => [`${c.use} ${JSON.stringify(c.pattern).slice(0, 40)}: ${c.why}`, c, i] as const,
    ),
  )("%s", async (_name, c, i) => {
    expect(await lokiVerdict(c, i)).toBe(expectedVerdict(c));
  });
});
