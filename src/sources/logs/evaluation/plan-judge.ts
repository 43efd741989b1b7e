/**
 * A request judged straight from the fast path's slots, for the common case:
 * every query of the plan of the plain shape (plain-query.ts), no grouping.
 * It answers as countEvent does on the same FastLine, without the compiled
 * query's closures and without LineRecord calls; where a line is not plain
 * (a compared value the tokenizer did not decide, a latency that is not a
 * JSON number it read, a bad event the breakdown wants) it counts nothing
 * and says so, and the caller counts that line the general way.
 */

import type { CompareOp } from "../../../definition/logql/ast.js";
import type { FastLine } from "../fast-path/fast-line.js";
import { type JsonExtractor, SLOT_NUMBER, SLOT_STRING } from "../fast-path/json-extractor.js";
import { type CompiledQuery, nameId } from "./compiled-query.js";
import type { EventTally } from "./evaluator.js";
import type { PlainQuery } from "./plain-query.js";
import type { RequestPlan } from "./request-plan.js";

const IS = 0;
const IS_NOT = 1;
const NUMBER = 2;

const OPS: Record<CompareOp, number> = { "==": 0, "!=": 1, ">": 2, ">=": 3, "<": 4, "<=": 5 };

function compare(op: number, value: number, threshold: number): boolean {
  switch (op) {
    case 0:
      return value === threshold;
    case 1:
      return value !== threshold;
    case 2:
      return value > threshold;
    case 3:
      return value >= threshold;
    case 4:
      return value < threshold;
    default:
      return value <= threshold;
  }
}

/** A query's tests as flat arrays over the extractor's slots; never: the selector rules the source out. */
class SlotTests {
  private readonly kinds: Int8Array;
  private readonly slots: Int32Array;
  private readonly ops: Int8Array;
  private readonly thresholds: Float64Array;
  private readonly keys: string[];
  private readonly ids: Int32Array;
  private readonly values: string[];
  private readonly bytes: Buffer[];

  private constructor(
    plain: PlainQuery,
    slots: number[],
    private readonly never: boolean,
    private readonly extractor: JsonExtractor,
    private readonly line: FastLine,
  ) {
    const { tests } = plain;
    this.kinds = Int8Array.from(tests, (t) =>
      t.kind === "number" ? NUMBER : t.negated ? IS_NOT : IS,
    );
    this.slots = Int32Array.from(slots);
    this.ops = Int8Array.from(tests, (t) => (t.kind === "number" ? OPS[t.op] : 0));
    this.thresholds = Float64Array.from(tests, (t) => (t.kind === "number" ? t.threshold : 0));
    this.keys = tests.map((t) => t.key);
    this.ids = Int32Array.from(tests, (t) => nameId(t.key));
    this.values = tests.map((t) => (t.kind === "is" ? t.value : ""));
    this.bytes = tests.map((t) => (t.kind === "is" ? t.bytes : Buffer.alloc(0)));
  }

  /** The tests of a compiled query, or null when it is not plain or reads a label the extractor lacks. */
  static of(query: CompiledQuery, extractor: JsonExtractor, line: FastLine): SlotTests | null {
    if (query.matchesNothing) return new SlotTests({ tests: [] }, [], true, extractor, line);
    const plain = query.plain;
    if (!plain) return null;
    const slots = plain.tests.map((t) => extractor.flatNames.indexOf(t.key));
    if (slots.some((s) => s < 0)) return null;
    const flat = slots.map((s) => extractor.flatSlot(s));
    return new SlotTests(plain, flat, false, extractor, line);
  }

  /** Whether the scanned line passes every test (as the compiled query's matches). */
  matches(): boolean {
    if (this.never) return false;
    const { kinds, slots } = this;
    for (let i = 0; i < kinds.length; i++) {
      const slot = slots[i]!;
      const kind = kinds[i]!;
      if (kind === NUMBER) {
        if (!this.numberPasses(i, slot)) return false;
      } else if (this.is(i, slot) === (kind === IS_NOT)) {
        return false;
      }
    }
    return true;
  }

  /** (label ?? "") === value, as FastLine.jsonLabelIs answers it. */
  private is(i: number, slot: number): boolean {
    const extractor = this.extractor;
    if (!extractor.isSet(slot)) return this.values[i] === "";
    if (extractor.kinds[slot] === SLOT_STRING) {
      const matched = extractor.constantMatch(slot, this.bytes[i]!);
      if (matched !== undefined) return matched;
    }
    return this.line.jsonLabelIs(this.keys[i]!, this.values[i]!, this.bytes[i]!, this.ids[i]!);
  }

  /** A numeric test: a missing label or one that is not a number fails (see plainQueryOf). */
  private numberPasses(i: number, slot: number): boolean {
    const extractor = this.extractor;
    if (!extractor.isSet(slot)) return false;
    let value = extractor.kinds[slot] === SLOT_NUMBER ? extractor.numbers[slot]! : Number.NaN;
    if (Number.isNaN(value)) {
      const read = this.line.jsonLabelNumber(this.keys[i]!, this.ids[i]!);
      if (read === null) return false;
      value = read;
    } else if (!Number.isFinite(value)) {
      return false;
    }
    return compare(this.ops[i]!, value, this.thresholds[i]!);
  }
}

export abstract class PlanJudge {
  /**
   * Count the event the scanned line is at t (inside the tally's span) into
   * the tally; false when it counted nothing and leaves the line to countEvent.
   */
  abstract count(tally: EventTally, t: number): boolean;

  /** The judge of a plan, or null when it has a shape the judge does not cover. */
  static of(plan: RequestPlan, extractor: JsonExtractor, line: FastLine): PlanJudge | null {
    if (plan.grouping !== null) return null;
    if (plan.kind === "ratio") {
      const total = SlotTests.of(plan.total, extractor, line);
      const role = plan.bad ?? plan.good!;
      const tests = SlotTests.of(role, extractor, line);
      if (total === null || tests === null) return null;
      return new RatioJudge(plan, total, tests, plan.bad !== null);
    }
    const events = SlotTests.of(plan.events, extractor, line);
    const raw = extractor.rawNames.indexOf(plan.field);
    // FastLine.field reads both; without both it parses the line in full
    if (events === null || raw < 0 || !extractor.flatNames.includes(plan.field)) return null;
    return new LatencyJudge(plan, events, extractor, extractor.rawSlot(raw));
  }
}

class RatioJudge extends PlanJudge {
  constructor(
    private readonly plan: RequestPlan,
    private readonly total: SlotTests,
    private readonly role: SlotTests,
    private readonly roleIsBad: boolean,
  ) {
    super();
  }

  count(tally: EventTally, t: number): boolean {
    if (!this.total.matches()) return true;
    const bad = this.role.matches() === this.roleIsBad;
    if (bad && this.plan.breakdown !== null && tally.wantsBreakdown(t)) return false;
    tally.record(t, !bad);
    return true;
  }
}

class LatencyJudge extends PlanJudge {
  constructor(
    private readonly plan: Extract<RequestPlan, { kind: "latency" }>,
    private readonly events: SlotTests,
    private readonly extractor: JsonExtractor,
    private readonly rawSlot: number,
  ) {
    super();
  }

  count(tally: EventTally, t: number): boolean {
    if (!this.events.matches()) return true;
    const { extractor, rawSlot } = this;
    // a JSON number the tokenizer read; anything else (text, missing) the general way
    if (!extractor.isSet(rawSlot) || extractor.kinds[rawSlot] !== SLOT_NUMBER) return false;
    const value = extractor.numbers[rawSlot]!;
    if (Number.isNaN(value)) return false;
    if (!Number.isFinite(value)) {
      tally.missingField(t);
      return true;
    }
    const good = this.plan.isGood(value);
    if (!good && this.plan.breakdown !== null && tally.wantsBreakdown(t)) return false;
    tally.record(t, good);
    return true;
  }
}
