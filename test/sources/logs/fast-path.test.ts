/**
 * The fast path (JsonExtractor + FastLine) must answer exactly as JSON.parse
 * + flattenJson: same lines accepted, same values, same counts. Tricky lines
 * by hand, then random ones.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Evaluator } from "../../../src/sources/logs/evaluation/evaluator.js";
import { evaluatorEvents } from "../../../src/sources/logs/evaluation/evaluator-events.js";
import {
  planRequest,
  type RequestPlan,
} from "../../../src/sources/logs/evaluation/request-plan.js";
import { FastLine } from "../../../src/sources/logs/fast-path/fast-line.js";
import { JsonExtractor } from "../../../src/sources/logs/fast-path/json-extractor.js";
import { jsonTokenizer } from "../../../src/sources/logs/fast-path/json-tokenizer.js";
import { ParsedLine, parseJsonObject } from "../../../src/sources/logs/line-parsing/line-record.js";
import { rfc3339BytesMs } from "../../../src/sources/logs/line-parsing/timestamp.js";
import { LineSplitter } from "../../../src/sources/logs/reading/line-splitter.js";
import { latency, logsSpec, ratio, request, T } from "./helpers.js";

const STREAM = { app: "ctrl" };
const NAMES = [
  "msg",
  "status",
  "a",
  "a_b",
  "a_b_c",
  "b",
  "req_status",
  "req_path",
  "user_agent",
  "_timestamp",
  "_1a",
  "t",
  "x",
  "__proto__",
  "app",
  "app_extracted",
  "d",
];
const RAW = ["@timestamp", "t", "msg", "status", "a", "user-agent", "1a", "d"];

const TRICKY = [
  '{"t":"2026-11-24T11:59:00Z","msg":"plain","status":200}',
  '{"msg":"say \\"hi\\"","status":500}',
  '{"msg":"caf\\u00e9 \\ud83d\\ude00 \\/ \\\\ \\b\\f\\n\\r\\t"}',
  '{"msg":"café 😀 ü"}',
  '{"req":{"status":500,"path":"/x"},"a":{"b":{"c":true}}}',
  '{"status":200,"status":500}',
  '{"a":1,"a":{"b":2}}',
  '{"a":{"b":2},"a":1}',
  '{"a":{"b":{"c":1}},"a":1}',
  '{"a":{"b":1},"a_b":2}',
  '{"a_b":2,"a":{"b":1}}',
  '{"status":"500"}',
  '{"status":-0,"a":1e3,"b":1.50,"x":1E+2,"d":0.1,"t":12345678901234567890}',
  '{"status":01}',
  '{"status":1.}',
  '{"status":.5}',
  '{"status":+1}',
  '{"status":NaN}',
  '{"status":Infinity}',
  '{"status":-}',
  '{"status":1e}',
  '{"a":true,"b":false,"x":null,"msg":null}',
  '{"a":[1,{"b":2},[3,[4]],"x\\"y",true,null],"b":[]}',
  '{"msg":"a\tb"}',
  '{"msg":"a\u0001b"}',
  '{"a":1,}',
  '{,"a":1}',
  '{ "a" : 1 ,\t"b" :\t"x" }',
  ' \t{"a":1}\t ',
  '{"a":1} x',
  '{"a":1}{"b":2}',
  "{}",
  "[]",
  '"string"',
  "42",
  "null",
  "",
  "   ",
  "{",
  '{"a"}',
  '{"a":}',
  '{"a" 1}',
  '{"user-agent":"curl","@timestamp":"2026-11-24T11:59:00Z"}',
  '{"m\\u0073g":"escaped key"}',
  '{"1a":"x","_1a":"y"}',
  '{"1a":"x"}',
  '{"é":"x","a.b":"dots","a-b":"dash"}',
  '{"":1,"x":2}',
  '{"":{"x":1}}',
  '{" a ":1}',
  '{"a":"\\x"}',
  '{"a":"\\u12"}',
  '{"a":"\\ud800"}',
  '{"__proto__":"p","x":1}',
  '{"app":"other","x":1}',
  '{"a":"unterminated}',
  '{"a":tru}',
  '{"a":nul}',
  '{"a":[1,]}',
  '{"a":[1 2]}',
  `${"{".repeat(70)}${"}".repeat(70)}`,
  `{"a":${"[".repeat(70)}${"]".repeat(70)}}`,
  '{"d":"250ms","t":1795521540}',
  '{"a":{"b":1,"b":2}}',
  '{"a":{"":{"b":1}}}',
  '{"A":1,"a":2}',
  '{"a":1,"b":{"x":1,"x":2}}',
  '{"t":"2026-11-24T11:59:00.123456789+13:00"}',
  '{"t":"2026-11-24T11:59:00.123456789-0530"}',
  '{"t":1795521540.25}',
  '{"t":1795521540123456789}',
  '{"t":"1795521540000"}',
  '{"t":"2026-11-24T11:59:00Zé"}',
  '{"t":"2026-11-24T11:59:00\\u005a"}',
  '{"t":"2026-11-24t11:59:00z","@timestamp":"2026-11-24 11:59:00+00:00"}',
  '{"t":"2026-02-30T11:59:00Z"}',
  '{"t":true}',
  '{"t":{"sec":1}}',
  '{"d":0.30000000000000004,"status":123456789012345.6,"a":9007199254740993,"b":-0.0,"x":1.000000000000001}',
  '{"d":310.5,"status":-12.25,"a":0.001,"b":100000000000000,"x":5e-324}',
];

/** Lines as raw bytes too: invalid UTF-8 and stray carriage returns. */
const TRICKY_BYTES: Buffer[] = [
  Buffer.concat([
    Buffer.from('{"msg":"bad '),
    Buffer.from([0xff, 0xfe, 0xe2, 0x82]),
    Buffer.from('"}'),
  ]),
  Buffer.concat([Buffer.from('{"msg":'), Buffer.from([0xff]), Buffer.from("}")]),
  Buffer.from('{"a":\r1}'),
  Buffer.from('{"a":"x\ry"}'),
];

function buffers(): Buffer[] {
  return [...TRICKY.map((l) => Buffer.from(l)), ...TRICKY_BYTES];
}

/** Where compareLine puts a line: its buffer's offset in memory, bytes before it, a "\n" after. */
interface Placement {
  byteOffset: number;
  before: number;
  newline: boolean;
  /** put the line in one of the tokenizer's read buffers (read in place, not copied): at its start or its very end */
  readBuffer?: "start" | "end";
}

/** length bytes of a tokenizer read buffer, at its start or its end (then given back). */
function inReadBuffer(length: number, where: "start" | "end"): Buffer {
  const tokenizer = jsonTokenizer()!;
  const whole = tokenizer.takeReadBuffer(0);
  if (whole === null) throw new Error("no read buffer free");
  tokenizer.giveBackReadBuffer(whole);
  // garbage around the line, as the rest of a read leaves there
  whole.fill(0x22, 0, Math.min(whole.length, length + 64));
  whole.fill(0x61, Math.max(0, whole.length - length - 64));
  const from = where === "start" ? 0 : whole.length - length;
  return whole.subarray(from, from + length);
}

/** Compare one line through both paths: accepted alike, same label and field values. */
function compareLine(
  bytes: Buffer,
  flat: string[],
  raw: string[],
  at: Placement = { byteOffset: 0, before: 0, newline: true },
): boolean {
  const text = bytes.toString("utf8");
  const object = parseJsonObject(text);
  // values to compare each name with, which the tokenizer compares itself: the
  // name's own value, that value one byte off, and a few others
  const reference = object === null ? null : new ParsedLine(text, object, STREAM);
  const equals: [string, string, Buffer][] = flat.flatMap((name) => {
    const own = reference?.jsonLabel(name) ?? "";
    const values = new Set([own, `${own.slice(0, -1)}#`, "a", "", "200", "x".repeat(17)]);
    return [...values].map((v): [string, string, Buffer] => [name, v, Buffer.from(v, "utf8")]);
  });
  // the first raw name is the timestamp field, which the tokenizer parses itself
  const extractor = new JsonExtractor({
    flat,
    raw,
    timestamp: raw[0],
    equals: equals.map(([name, , b]) => [name, b] as const),
  });
  // by default a "\n" after the line, as in a file
  const length = at.before + bytes.length + (at.newline ? 1 : 0);
  const buf = at.readBuffer
    ? inReadBuffer(length, at.readBuffer)
    : Buffer.from(new ArrayBuffer(at.byteOffset + length), at.byteOffset, length);
  buf.fill("x", 0, at.before);
  bytes.copy(buf, at.before);
  if (at.newline) buf[length - 1] = 10;
  const start = at.before;
  const end = start + bytes.length;
  const accepted = extractor.scan(buf, start, end);
  if (accepted) expect({ text, parses: object !== null }).toEqual({ text, parses: true });
  if (!accepted || object === null) return accepted;
  const fast = new FastLine(extractor, STREAM);
  fast.reset(buf, start, end);
  const full = new ParsedLine(text, object, STREAM);
  for (const [name, value, valueBytes] of equals) {
    expect({ text, name, value, is: fast.jsonLabelIs(name, value, valueBytes) }).toEqual({
      text,
      name,
      value,
      is: full.jsonLabelIs(name, value),
    });
  }
  for (const name of [...flat, "not_wanted"]) {
    expect({ text, name, value: fast.jsonLabel(name) }).toEqual({
      text,
      name,
      value: full.jsonLabel(name),
    });
  }
  for (const name of [...raw, ...flat, "not_wanted"]) {
    expect({ text, name, field: fast.field(name) }).toEqual({
      text,
      name,
      field: full.field(name),
    });
    // expect() only on a difference: this runs for every name of every line
    if (fast.fieldText(name) !== full.fieldText(name)) {
      expect({ text, name, fieldText: fast.fieldText(name) }).toEqual({
        text,
        name,
        fieldText: full.fieldText(name),
      });
    }
  }
  for (const name of flat) {
    if (!Object.is(fast.jsonLabelNumber(name), full.jsonLabelNumber(name))) {
      expect({ text, name, number: fast.jsonLabelNumber(name) }).toEqual({
        text,
        name,
        number: full.jsonLabelNumber(name),
      });
    }
  }
  for (const name of [...raw, "t", "not_wanted"]) {
    expect({ text, name, t: fast.timestamp(name) }).toEqual({
      text,
      name,
      t: full.timestamp(name),
    });
  }
  expect(fast.text()).toBe(full.text());
  return accepted;
}

describe("JsonExtractor + FastLine agree with JSON.parse", () => {
  it("on tricky lines, name by name", () => {
    for (const bytes of buffers()) compareLine(bytes, NAMES, RAW);
  });

  it("on tricky lines with few names wanted (the usual case)", () => {
    for (const bytes of buffers()) {
      compareLine(bytes, ["msg", "t"], ["t"]);
      compareLine(bytes, [], []);
      compareLine(bytes, ["a_b_c"], []);
    }
  });

  it("on keys that differ from a wanted name only after their first byte, or are very long", () => {
    // the extractor rules keys out by length and first byte before comparing them
    const long = `k${"x".repeat(70)}`;
    const lines = [
      '{"msg":"a","mss":"b","mzg":"c","nsg":"d","ms":"e","msgs":"f"}',
      '{"mss":"b","msg":"a"}',
      '{"tt":1,"t":"2026-11-24T11:59:00Z","u":2}',
      '{"a":{"b":1},"ab":2,"a_":3,"a_c":4}',
      `{"${long}":"long","${long}y":"longer","k":1}`,
      `{"${long}":1,"${long}":2}`,
      `{"${long.slice(0, 63)}":"63","${long.slice(0, 64)}":"64","${long.slice(0, 65)}":"65"}`,
    ];
    const flat = ["msg", "t", "a_b", long, long.slice(0, 64)];
    const raw = ["msg", "t", long, long.slice(0, 63)];
    for (const line of lines) compareLine(Buffer.from(line), flat, raw);
    const extractor = new JsonExtractor({ flat, raw });
    for (const line of [lines[0]!, lines[4]!, lines[6]!]) {
      const buf = Buffer.from(`${line}\n`);
      expect({ line, accepted: extractor.scan(buf, 0, buf.length - 1) }).toEqual({
        line,
        accepted: true,
      });
    }
  });

  // thousands of alignments: slow on a loaded machine, and no timing is measured
  it("on strings read sixteen bytes at a time: every alignment, stop bytes at every position", () => {
    // the tokenizer reads 16-byte vectors: the line and its buffer are put at every offset, in a
    // buffer of its own (copied) and in a read buffer (read in place, up to its very end)
    const filler = "abcdefghijklmnopqrstuvwxyz0123456789";
    const stops = [
      '\\"',
      "\\\\",
      "\\u00e9",
      "\t",
      "\u0000",
      "\u001f",
      "\u007f",
      " ",
      "é",
      "\u00a2",
      "😀",
    ];
    const lines: Buffer[] = [];
    for (let cut = 0; cut <= 33; cut++) {
      for (const stop of stops) {
        const value = filler.slice(0, cut) + stop + filler.slice(cut);
        lines.push(Buffer.from(`{"msg":"${value}","t":"2026-11-24T11:59:00Z","x":"${value}"}`));
        lines.push(Buffer.from(`{"${value}":1,"msg":"a","m\\u0073g":"${cut}"}`));
      }
      lines.push(Buffer.from(`{"msg":"${filler.slice(0, cut)}`));
      lines.push(Buffer.from(`{"msg":"${filler.slice(0, cut)}\\`));
      lines.push(Buffer.from(`{"msg":"${filler.slice(0, cut)}\\"`));
    }
    // bytes whose XOR with a quote or a backslash sets the high bit, and 0x80 to 0xff
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 128 + i));
    lines.push(Buffer.concat([Buffer.from('{"msg":"'), high, Buffer.from('","t":1}')]));
    lines.push(Buffer.from(`{"msg":"${"long ".repeat(400)}","t":"${"z".repeat(5000)}"}`));
    lines.push(Buffer.from(`{"msg":"${"long ".repeat(400)}\u0001","t":1}`));
    lines.push(Buffer.from(`{"msg":"${"long ".repeat(400)}\\n${"x".repeat(99)}","t":1}`));
    let accepted = 0;
    const placements: Placement[] = [];
    for (const newline of [true, false]) {
      for (let before = 0; before < 4; before++) {
        placements.push({ byteOffset: before, before, newline });
        placements.push({ byteOffset: 0, before, newline, readBuffer: "start" });
        placements.push({ byteOffset: 0, before, newline, readBuffer: "end" });
      }
    }
    for (const bytes of lines) {
      for (const at of placements) if (compareLine(bytes, ["msg", "x"], ["t"], at)) accepted++;
    }
    // the valid lines without a duplicate key (34 cuts, 8 valid stops; the high bytes, the long
    // line, the escaped long line), each in every placement
    expect(accepted).toBe((34 * 8 + 3) * placements.length);
  }, 120_000);

  it("takes the ordinary lines itself (the fast path is not always falling back)", () => {
    const extractor = new JsonExtractor({ flat: NAMES, raw: RAW });
    const ordinary = [0, 1, 2, 3, 4, 11, 12, 21, 22, 27, 28, 31, 42, 45, 47];
    for (const i of ordinary) {
      const buf = Buffer.from(`${TRICKY[i]}\n`);
      expect({ line: TRICKY[i], accepted: extractor.scan(buf, 0, buf.length - 1) }).toEqual({
        line: TRICKY[i],
        accepted: true,
      });
    }
  });

  it("on random JSON objects", () => {
    const key = fc.oneof(
      fc.constantFrom(
        "a",
        "b",
        "a_b",
        "msg",
        "status",
        "t",
        "x",
        "user-agent",
        "1a",
        "@timestamp",
        "é",
        "",
      ),
      fc.string({ maxLength: 4 }),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        scalar,
        tie("object"),
        fc.array(tie("value"), { maxLength: 3 }),
      ),
      object: fc.dictionary(key, tie("value"), { maxKeys: 5 }),
    }));
    fc.assert(
      fc.property(value.object, fc.boolean(), (object, spaced) => {
        const text = JSON.stringify(object, null, spaced ? 1 : undefined).replace(/\n/g, " ");
        compareLine(Buffer.from(text), NAMES, RAW);
      }),
      { numRuns: 400 },
    );
  });

  it("on random numbers, read from bytes exactly as Number() reads them", () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,16})$/),
        fc.stringMatching(/^[0-9]{0,17}$/),
      )
      .map(
        ([neg, whole, fraction]) => `${neg ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`,
      );
    const number = fc.oneof(
      decimal,
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    );
    fc.assert(
      fc.property(number, (text) => {
        compareLine(Buffer.from(`{"d":${text},"t":${text}}`), ["d"], ["t"]);
      }),
      { numRuns: 2000 },
    );
  });

  it("on random numbers the tokenizer works out itself, to the bit as Number() does", () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,16})$/),
        fc.stringMatching(/^[0-9]{0,17}$/),
      )
      .map(
        ([neg, whole, fraction]) => `${neg ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`,
      );
    const number = fc.oneof(
      decimal,
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
    );
    const extractor = new JsonExtractor({ flat: ["d"], raw: [] });
    fc.assert(
      fc.property(number, (text) => {
        const line = Buffer.from(`{"d":${text}}\n`);
        expect(extractor.scan(line, 0, line.length - 1)).toBe(true);
        const worked = extractor.numbers[extractor.flatSlot(0)]!;
        const digits = text.replace(/[-.]/g, "").length;
        // 15 digits or fewer and no exponent: always worked out, never a different double
        if (!/e/i.test(text) && digits <= 15) expect(Number.isNaN(worked)).toBe(false);
        if (!Number.isNaN(worked)) expect({ text, worked }).toEqual({ text, worked: Number(text) });
      }),
      { numRuns: 3000 },
    );
  });

  it("on RFC 3339 times at the calendar's edges, parsed by the tokenizer as rfc3339BytesMs parses them", () => {
    const times = [
      "0000-01-01T00:00:00Z",
      "0000-02-29T23:59:59.999999999Z",
      "0000-03-01T00:00:00+23:59",
      "0001-01-01T00:00:00-23:59",
      "0399-12-31T12:00:00Z",
      "0400-02-29T12:00:00Z",
      "1900-02-29T00:00:00Z",
      "1969-12-31T23:59:59.999Z",
      "1970-01-01T00:00:00.000000001Z",
      "2000-02-29T00:00:60.5+14:00",
      "2026-11-24T12:00:00.123456789123Z",
      "9999-12-31T23:59:59.999999999-00:01",
    ];
    for (const text of times) {
      const line = Buffer.from(`{"t":"${text}"}\n`);
      const extractor = new JsonExtractor({ flat: [], raw: ["t"], timestamp: "t" });
      expect(extractor.scan(line, 0, line.length - 1)).toBe(true);
      const bytes = Buffer.from(text);
      expect({ text, t: extractor.timestampParsed() }).toEqual({
        text,
        t: rfc3339BytesMs(bytes, 0, bytes.length),
      });
    }
  });

  it("on RFC 3339 times in a row sharing their date and minute (the tokenizer keeps the last one's)", () => {
    const times = [
      "2026-10-25T12:00:00.5Z",
      "2026-10-25T12:00:01Z",
      "2026-10-25T12:00:61Z",
      "2026-10-25T12:00:59.999999999+01:00",
      "2026-10-25T12:00:60Z",
      "2026-10-25T12:00x01Z",
      "2026-10-25T12:00:01.5",
      "2026-10-25T12:00:01+24:00",
      "2026-10-25T12:00:01.Z",
      "2026-10-25T12:01:00Z",
      "2026-10-25T12:01:00-00:30",
      "2026-10-26T12:01:00Z",
      "2026-02-28T23:59:59Z",
      "2026-02-29T23:59:59Z",
      "2026-02-28T23:59:60Z",
      "2024-02-29T23:59:59Z",
      "2024-02-29T23:59:59Z",
      "2024-02-29t23:59:59Z",
      "2024-02-29 23:59:59Z",
      "2024-02-29T24:59:59Z",
      "2024-02-29T23:59:59Z",
      "2024-03-01T00:00:00Z",
    ];
    const extractor = new JsonExtractor({ flat: [], raw: ["t"], timestamp: "t" });
    for (const text of times) {
      const line = Buffer.from(`{"t":"${text}"}`);
      expect(extractor.scan(line, 0, line.length)).toBe(true);
      const bytes = Buffer.from(text);
      expect({ text, t: extractor.timestampParsed() }).toEqual({
        text,
        t: rfc3339BytesMs(bytes, 0, bytes.length),
      });
    }
  });

  it("on random RFC 3339 times, parsed by the tokenizer exactly as rfc3339BytesMs parses them", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    const time = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
        fc.constantFrom("-", "/"),
        two(13),
        two(32),
        fc.constantFrom("T", "t", " ", "x"),
        two(24),
        two(61),
        two(61),
        fc.stringMatching(/^(\.[0-9]{0,12})?$/),
        fc.oneof(
          fc.constantFrom("Z", "z", "", "+", "Zz", "+1300", "-0930", "+13:00", "-09:30", "+24:00"),
          fc
            .tuple(fc.constantFrom("+", "-"), two(25), fc.constantFrom(":", ""), two(60))
            .map((p) => p.join("")),
        ),
      )
      .map(
        ([y, dash, mo, d, sep, h, mi, se, fraction, zone]) =>
          `${y}${dash}${mo}-${d}${sep}${h}:${mi}:${se}${fraction}${zone}`,
      );
    fc.assert(
      fc.property(time, (text) => {
        compareLine(Buffer.from(`{"t":${JSON.stringify(text)},"msg":"a"}`), ["msg"], ["t"]);
        compareLine(Buffer.from(`{"msg":"a","t":${JSON.stringify(text)}}`), ["msg", "t"], ["t"]);
      }),
      { numRuns: 3000 },
    );
    // the times of a whole day, and around leap days and the year's ends
    for (const day of [
      "2024-02-28",
      "2024-02-29",
      "2023-02-29",
      "2000-02-29",
      "1900-02-29",
      "2026-12-31",
    ]) {
      for (const clock of [
        "00:00:00Z",
        "23:59:59.999999999Z",
        "23:59:60.5+01:00",
        "12:00:00.000000001-0000",
      ]) {
        compareLine(Buffer.from(`{"t":"${day}T${clock}"}`), [], ["t"]);
      }
    }
  });

  it("on random damaged lines", () => {
    const base = fc.constantFrom(...TRICKY.filter((l) => l.length > 2));
    fc.assert(
      fc.property(
        base,
        fc.nat(),
        fc.constantFrom("", '"', "\\", "\t", "{", "}", ",", ":", "\u0000", "é", " "),
        (line, at, insert) => {
          const i = at % (line.length + 1);
          compareLine(
            Buffer.from(line.slice(0, i) + insert + line.slice(i + (insert === "" ? 1 : 0))),
            NAMES,
            RAW,
          );
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe("the WebAssembly tokenizer's limits and sharing", () => {
  it("gives every extractor its own tables when two take turns line by line", () => {
    // one tokenizer per thread: each scan makes its extractor's key table the active one
    const names = [
      { flat: ["msg", "t"], raw: ["t"] },
      { flat: NAMES, raw: RAW },
    ];
    const extractors = names.map((n) => new JsonExtractor({ ...n, timestamp: n.raw[0] }));
    const fastLines = extractors.map((e) => new FastLine(e, STREAM));
    const lines = buffers();
    for (let round = 0; round < 2; round++) {
      lines.forEach((bytes, i) => {
        const which = (i + round) % 2;
        const buf = Buffer.concat([bytes, Buffer.from("\n")]);
        const text = bytes.toString("utf8");
        const object = parseJsonObject(text);
        if (!extractors[which]!.scan(buf, 0, bytes.length) || object === null) return;
        const fast = fastLines[which]!;
        fast.reset(buf, 0, bytes.length);
        const full = new ParsedLine(text, object, STREAM);
        for (const name of names[which]!.flat) {
          expect({ text, name, value: fast.jsonLabel(name) }).toEqual({
            text,
            name,
            value: full.jsonLabel(name),
          });
        }
        for (const name of names[which]!.raw) {
          expect({ text, name, t: fast.timestamp(name) }).toEqual({
            text,
            name,
            t: full.timestamp(name),
          });
        }
      });
    }
  });

  it("compares text, not bytes, where a value is not valid UTF-8", () => {
    // decoding turns each invalid byte into U+FFFD: unequal bytes can be equal text
    const lines = [
      Buffer.concat([Buffer.from('{"msg":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      Buffer.concat([Buffer.from('{"a":{"b":"'), Buffer.from([0xc3]), Buffer.from('"}}')]),
    ];
    for (const bytes of lines) {
      const text = bytes.toString("utf8");
      const full = new ParsedLine(text, parseJsonObject(text)!, STREAM);
      for (const [name, withConstants] of [
        ["msg", false],
        ["msg", true],
        ["a_b", false],
        ["a_b", true],
      ] as const) {
        const own = full.jsonLabel(name) ?? "";
        const values = [own, "bad \ufffd", "bad \ufffd\ufffd", "\ufffd", "x"].map(
          (v) => [v, Buffer.from(v)] as const,
        );
        const extractor = new JsonExtractor({
          flat: [name],
          raw: [],
          equals: withConstants ? values.map(([, b]) => [name, b] as const) : [],
        });
        const buf = Buffer.concat([bytes, Buffer.from("\n")]);
        expect(extractor.scan(buf, 0, bytes.length)).toBe(true);
        const fast = new FastLine(extractor, STREAM);
        fast.reset(buf, 0, bytes.length);
        for (const [value, valueBytes] of values) {
          expect({ name, value, is: fast.jsonLabelIs(name, value, valueBytes) }).toEqual({
            name,
            value,
            is: full.jsonLabelIs(name, value),
          });
        }
      }
    }
  });

  it("leaves to JSON.parse what does not fit it, with the same answers", () => {
    const wide = Array.from({ length: 300 }, (_, i) => `k${i}`);
    // more names than the tokenizer has slots
    const line = Buffer.from(
      `{${wide.map((k, i) => `"${k}":${i}`).join(",")},"t":"2026-11-24T11:59:00Z"}`,
    );
    expect(compareLine(line, wide, ["t"])).toBe(false);
    // a line longer than its copy area, and one with more tokens than its tape
    const long = Buffer.from(`{"msg":"${"x".repeat(1_100_000)}","t":1}`);
    expect(compareLine(long, ["msg"], ["t"])).toBe(false);
    const nested = Buffer.from(
      `{"a":{${Array.from({ length: 20_000 }, (_, i) => `"b${i}":1`).join(",")}},"msg":"m"}`,
    );
    expect(compareLine(nested, ["a_b1", "msg"], [])).toBe(false);
    // ...while the same shapes within the limits are the tokenizer's
    expect(compareLine(Buffer.from(`{"msg":"${"x".repeat(100_000)}","t":1}`), ["msg"], ["t"])).toBe(
      true,
    );
    expect(compareLine(Buffer.from(`{"a":{"b1":1,"b2":2},"msg":"m"}`), ["a_b1", "msg"], [])).toBe(
      true,
    );
  });
});

describe("the evaluator counts the same with and without the fast path", () => {
  const spec = logsSpec(["-"]);
  const total = '| json | msg =~ ".*"';
  const requests = [
    request(ratio({ total, bad: "| json | status >= 500" }), {
      breakdown: { by: "msg", limit: 50 },
    }),
    request(
      ratio({
        total: "| json | req_status > 0 or status > 0",
        good: '| json | req_path = "/x" or msg = "plain"',
      }),
    ),
    request(latency("| json", "d", 0.3, "s"), { breakdown: { by: "a_b", limit: 50 } }),
    request(ratio({ total: '|= "a" | json | a_b_c != "x"', bad: "| logfmt | a > 0" })),
    request(
      ratio({
        total: '{app="ctrl"} | json | app_extracted = "other" or x = 1',
        bad: '| json | user_agent = "curl"',
      }),
    ),
  ];

  function countWith(fastPath: boolean, lines: Buffer[]) {
    const plans = requests.map((r) => planRequest(r, spec) as RequestPlan);
    const evaluator = new Evaluator(plans, spec, { fastPath });
    const splitter = new LineSplitter(evaluatorEvents(evaluator, "x", true), evaluator.readBuffers);
    for (const line of lines) splitter.push(Buffer.concat([line, Buffer.from("\n")]));
    splitter.end();
    return {
      diagnostics: evaluator.diagnostics,
      tallies: evaluator.tallies.map((t) => ({
        windows: t.windows(),
        breakdown: t.breakdown(),
        missing: t.state.missingField,
      })),
    };
  }

  /** Give every tricky line a timestamp inside the windows, where it has room for one. */
  function timed(): Buffer[] {
    return buffers().map((b, i) => {
      const text = b.toString("latin1");
      if (!text.startsWith("{") || text.startsWith("{}") || text.includes('"t"')) return b;
      const t = new Date(T - (i + 1) * 1000).toISOString();
      return Buffer.concat([Buffer.from(`{"t":"${t}",`), b.subarray(1)]);
    });
  }

  it("on the tricky lines", () => {
    const lines = timed();
    const fast = countWith(true, lines);
    expect(fast).toEqual(countWith(false, lines));
    expect(fast.tallies[0]!.windows["1d"]!.total).toBeGreaterThan(20);
  });
});
