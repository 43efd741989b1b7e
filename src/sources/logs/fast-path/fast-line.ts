/**
 * A log line read by the fast path (JsonExtractor): the fields slo needs
 * are decoded from the line's bytes only when asked for. Anything the
 * extractor was not told to find is answered by parsing the line in full,
 * so a FastLine answers exactly as a ParsedLine would.
 */

import { parseGoFloat } from "../../../definition/logql/literals.js";
import { type LineRecord, ParsedLine, parseJsonObject } from "../line-parsing/line-record.js";
import { type Logfmt, readLogfmt } from "../line-parsing/logfmt.js";
import { epochMs, rfc3339BytesMs, timestampMs } from "../line-parsing/timestamp.js";
import {
  type JsonExtractor,
  SLOT_ESCAPED_STRING,
  SLOT_FALSE,
  SLOT_NUMBER,
  SLOT_STRING,
  SLOT_TRUE,
} from "./json-extractor.js";

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

function sameBytes(buf: Buffer, start: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) return false;
  return true;
}

function asciiOnly(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return false;
  return true;
}

const UNKNOWN = -2;
const NO_SLOT = -1;

/** A name-to-slot Map, remembered by nameId: looking a number up costs less than hashing a name. */
class SlotsById {
  /** by nameId: UNKNOWN until first asked, NO_SLOT when the name has none */
  private byId = new Int32Array(0);

  constructor(private readonly slots: Map<string, number>) {}

  get(name: string, id: number): number | undefined {
    if (id >= this.byId.length) {
      const grown = new Int32Array(Math.max(16, (id + 1) * 2)).fill(UNKNOWN);
      grown.set(this.byId);
      this.byId = grown;
    }
    let slot = this.byId[id]!;
    if (slot === UNKNOWN) {
      slot = this.slots.get(name) ?? NO_SLOT;
      this.byId[id] = slot;
    }
    return slot === NO_SLOT ? undefined : slot;
  }
}

export class FastLine implements LineRecord {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private cachedText: string | null = null;
  private parsed: ParsedLine | null = null;
  private logfmt: Logfmt | null = null;
  private readonly flatSlots: Map<string, number>;
  private readonly rawSlots: Map<string, number>;
  private readonly flatById: SlotsById;
  private readonly rawById: SlotsById;
  /** slot texts decoded for the current line (when cachedIn[slot] === lineSerial) */
  private readonly cachedTexts: string[];
  private readonly cachedIn: Uint32Array;
  private lineSerial = 0;

  constructor(
    private readonly extractor: JsonExtractor,
    private readonly streamLabels: Record<string, string>,
  ) {
    this.flatSlots = new Map(extractor.flatNames.map((n, i) => [n, extractor.flatSlot(i)]));
    this.rawSlots = new Map(extractor.rawNames.map((n, i) => [n, extractor.rawSlot(i)]));
    this.flatById = new SlotsById(this.flatSlots);
    this.rawById = new SlotsById(this.rawSlots);
    const slots = extractor.kinds.length;
    this.cachedTexts = new Array<string>(slots).fill("");
    this.cachedIn = new Uint32Array(slots);
  }

  /** Point at the line the extractor has just scanned successfully. */
  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.cachedText = null;
    this.parsed = null;
    this.logfmt = null;
    this.lineSerial = this.lineSerial === 0xffffffff ? 1 : this.lineSerial + 1;
    if (this.lineSerial === 1) this.cachedIn.fill(0);
  }

  text(): string {
    this.cachedText ??= this.buf.toString("utf8", this.start, this.end);
    return this.cachedText;
  }

  jsonLabel(name: string, id?: number): string | undefined {
    const slot = this.flatSlot(name, id);
    if (slot === undefined) return this.full().jsonLabel(name);
    return this.extractor.isSet(slot) ? this.slotText(slot) : undefined;
  }

  jsonLabelIs(name: string, value: string, bytes: Buffer, id?: number): boolean {
    const slot = this.flatSlot(name, id);
    if (slot === undefined) return this.full().jsonLabelIs(name, value);
    if (!this.extractor.isSet(slot)) return value === "";
    if (this.extractor.kinds[slot] !== SLOT_STRING) return this.slotText(slot) === value;
    // the tokenizer compared the queries' values with the slots it set itself
    const matched = this.extractor.constantMatch(slot, bytes);
    if (matched !== undefined) return matched;
    const start = this.extractor.starts[slot]!;
    const end = this.extractor.ends[slot]!;
    if (end - start === bytes.length && sameBytes(this.buf, start, bytes)) return true;
    // unequal bytes are unequal text only where they are valid UTF-8 (decoding
    // turns invalid bytes into U+FFFD): past ASCII, compare the text
    return !asciiOnly(this.buf, start, end) && this.slotText(slot) === value;
  }

  jsonLabelNumber(name: string, id?: number): number | null {
    const slot = this.flatSlot(name, id);
    if (slot === undefined) return this.full().jsonLabelNumber(name);
    if (!this.extractor.isSet(slot)) return null;
    if (this.extractor.kinds[slot] === SLOT_NUMBER) {
      // a JSON number's text is a decimal Go reads as Number() does, but for
      // magnitudes past a double (1e400), which Go refuses
      const value = this.slotNumber(slot);
      return Number.isFinite(value) ? value : null;
    }
    return parseGoFloat(this.slotText(slot));
  }

  logfmtLabel(name: string): string | undefined {
    this.logfmt ??= readLogfmt(this.text());
    return this.logfmt.labels.get(name);
  }

  logfmtError(): string | null {
    this.logfmt ??= readLogfmt(this.text());
    return this.logfmt.error;
  }

  /** the extractor only accepts JSON objects */
  isJsonObject(): boolean {
    return true;
  }

  field(name: string, id?: number): string | number | undefined {
    const raw = this.rawSlot(name, id);
    const flat = this.flatSlot(name, id);
    if (raw === undefined || flat === undefined) return this.full().field(name);
    if (this.extractor.isSet(raw)) {
      return this.extractor.kinds[raw] === SLOT_NUMBER ? this.slotNumber(raw) : this.slotText(raw);
    }
    if (this.extractor.isSet(flat)) return this.slotText(flat);
    return Object.hasOwn(this.streamLabels, name) ? this.streamLabels[name] : undefined;
  }

  fieldText(name: string, id?: number): string | undefined {
    const raw = this.rawSlot(name, id);
    if (raw !== undefined && this.extractor.isSet(raw)) return this.slotText(raw);
    const value = this.field(name, id);
    return typeof value === "number" ? this.full().fieldText(name) : value;
  }

  timestamp(name: string, id?: number): number | null {
    const raw = this.rawSlot(name, id);
    if (raw !== undefined && this.extractor.isSet(raw)) {
      const { kinds, starts, ends } = this.extractor;
      const start = starts[raw]!;
      const end = ends[raw]!;
      // what timestampMs does with text of 20+ characters and a "-" fifth
      if (kinds[raw] === SLOT_STRING && end - start >= 20 && this.buf[start + 4] === 45) {
        if (raw === this.extractor.timestampSlot) {
          const parsed = this.extractor.timestampParsed();
          if (parsed !== undefined) return parsed;
        }
        return rfc3339BytesMs(this.buf, start, end);
      }
      if (kinds[raw] === SLOT_NUMBER) return epochMs(this.slotNumber(raw));
    }
    return timestampMs(this.field(name, id));
  }

  private flatSlot(name: string, id: number | undefined): number | undefined {
    return id === undefined ? this.flatSlots.get(name) : this.flatById.get(name, id);
  }

  private rawSlot(name: string, id: number | undefined): number | undefined {
    return id === undefined ? this.rawSlots.get(name) : this.rawById.get(name, id);
  }

  /** The slot's value as `| json` gives it (decoded once per line). */
  private slotText(slot: number): string {
    if (this.cachedIn[slot] === this.lineSerial) return this.cachedTexts[slot]!;
    const text = this.decodeSlot(slot);
    this.cachedTexts[slot] = text;
    this.cachedIn[slot] = this.lineSerial;
    return text;
  }

  /** Strings unescaped, numbers as written in the line. */
  private decodeSlot(slot: number): string {
    const { kinds, starts, ends } = this.extractor;
    switch (kinds[slot]) {
      case SLOT_STRING:
        return this.buf.toString("utf8", starts[slot], ends[slot]);
      case SLOT_ESCAPED_STRING:
        return JSON.parse(this.buf.toString("utf8", starts[slot]! - 1, ends[slot]! + 1)) as string;
      case SLOT_NUMBER:
        return this.buf.toString("latin1", starts[slot], ends[slot]);
      case SLOT_TRUE:
        return "true";
      case SLOT_FALSE:
        return "false";
      default:
        throw new Error(`internal: slot ${slot} has no value`);
    }
  }

  /**
   * A JSON number's value, without a string when it has at most 15 digits
   * and no exponent: the digits as a whole number, divided by a power of
   * ten, are then both exact doubles, so the division rounds exactly as
   * Number() does (Clinger's fast path).
   */
  private slotNumber(slot: number): number {
    // the tokenizer's answer, worked out the same way, where it had one
    const parsed = this.extractor.numbers[slot]!;
    if (!Number.isNaN(parsed)) return parsed;
    const buf = this.buf;
    const start = this.extractor.starts[slot]!;
    const end = this.extractor.ends[slot]!;
    const negative = buf[start] === 45;
    let i = negative ? start + 1 : start;
    if (end - i <= 16) {
      let digits = 0;
      let n = 0;
      let point = -1;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c === 46 && point < 0) {
          point = i;
          continue;
        }
        const d = c - 48;
        if (!(d >= 0 && d <= 9)) break;
        n = n * 10 + d;
        digits++;
      }
      if (i === end && digits <= 15) {
        const value = point < 0 ? n : n / POWERS_OF_TEN[end - point - 1]!;
        return negative ? -value : value;
      }
    }
    return Number(buf.toString("latin1", start, end));
  }

  private full(): ParsedLine {
    if (this.parsed === null) {
      const object = parseJsonObject(this.text());
      if (object === null)
        throw new Error("internal: the fast path accepted a line JSON.parse rejects");
      this.parsed = new ParsedLine(this.text(), object, this.streamLabels);
    }
    return this.parsed;
  }
}
