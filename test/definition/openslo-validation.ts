/**
 * The OpenSLO v1 rules an object must pass, written from the spec
 * (github.com/OpenSLO/OpenSLO README, v1) and the Go SDK's validation
 * (github.com/OpenSLO/go-sdk pkg/openslo/v1, per kind), for tests to run on
 * what `slo convert --to openslo` writes. Test-only and independent of slo's
 * own reader: a rule slo's reader is lenient about still counts here.
 *
 * The rules, per kind:
 * - every object: apiVersion openslo/v1 (top level), kind as expected,
 *   metadata.name an RFC 1123 label (1-63 of a-z 0-9 '-', alphanumeric at
 *   both ends), displayName at most 63 characters, label keys
 *   [a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])? with string or string-list
 *   values, annotation keys an optional DNS-subdomain prefix and '/' then a
 *   name like a label key, string values; names unique per kind in the set
 * - every spec.description: at most 1050 characters
 * - Service: nothing more
 * - DataSource: type and connectionDetails required
 * - SLO: service required; budgetingMethod one of Occurrences, Timeslices,
 *   RatioTimeslices; exactly one timeWindow, its duration a duration
 *   shorthand ([0-9]+ then one of m h d w M Q Y), a calendar exactly when
 *   isRolling is false, startTime as 2006-01-02 15:04:05, timeZone an IANA
 *   zone; exactly one of indicator (inline SLI) or indicatorRef; each
 *   objective exactly one of target [0, 1) or targetPercent [0, 100), op one
 *   of lt lte gt gte, op and value given with a thresholdMetric (the spec)
 *   and not with a ratioMetric; Timeslices: timeSliceTarget in (0, 1] and a
 *   timeSliceWindow; RatioTimeslices: a timeSliceWindow; alertPolicies each
 *   exactly one of alertPolicyRef or an inline AlertPolicy
 * - SLI: exactly one of thresholdMetric or ratioMetric; a ratioMetric has
 *   exactly one of total or raw, with total exactly one of good or bad, with
 *   raw a rawType success or failure and neither good nor bad; counter a
 *   boolean; every metricSource a non-empty spec and, if given, a
 *   metricSourceRef that is an RFC 1123 label
 * - AlertPolicy: exactly one condition; at least one notificationTarget
 *   (the key left out fails too: the SDK checks the empty list); each item
 *   exactly one of a ...Ref (an RFC 1123 label) or the inline object;
 *   alertWhen* booleans
 * - AlertCondition: severity required; condition.kind burnrate; op one of
 *   lt lte gt gte; threshold a number; lookbackWindow a duration shorthand;
 *   alertAfter, if given, a duration shorthand
 * - AlertNotificationTarget: target required
 * - every reference names an object of its kind in the set
 */

const API_VERSION = "openslo/v1";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const ANNOTATION_KEY_LENGTH = /^(.{0,253}\/)?.{0,63}$/;
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*\/)?[a-zA-Z0-9]([-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/;
const SHORTHAND = /^[0-9]+[mhdwMQY]$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const OPERATORS = ["gt", "lt", "gte", "lte"];
const METHODS = ["Occurrences", "Timeslices", "RatioTimeslices"];
const MAX_DESCRIPTION = 1050;
const MAX_DISPLAY_NAME = 63;

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function given(v: unknown): boolean {
  return v !== undefined && v !== null;
}

class Checker {
  readonly problems: string[] = [];
  readonly defined = new Map<string, Set<string>>();
  readonly references: { kind: string; name: string; at: string }[] = [];

  fail(at: string, message: string): void {
    this.problems.push(`${at}: ${message}`);
  }

  dnsLabel(at: string, value: unknown): void {
    if (typeof value !== "string" || value.length < 1 || value.length > 63) {
      this.fail(
        at,
        `expected an RFC 1123 label of 1 to 63 characters, got ${JSON.stringify(value)}`,
      );
    } else if (!DNS_LABEL.test(value)) {
      this.fail(
        at,
        `'${value}' is not an RFC 1123 label (a-z, 0-9, '-', alphanumeric at both ends)`,
      );
    }
  }

  requiredString(at: string, value: unknown): value is string {
    if (typeof value === "string" && value.trim() !== "") return true;
    this.fail(at, "required");
    return false;
  }

  description(at: string, spec: Json): void {
    const d = spec.description;
    if (d === undefined) return;
    if (typeof d !== "string") this.fail(`${at}.description`, "expected a string");
    else if (d.length > MAX_DESCRIPTION)
      this.fail(`${at}.description`, `${d.length} characters, at most ${MAX_DESCRIPTION}`);
  }

  shorthand(at: string, value: unknown, required: boolean): void {
    if (value === undefined || value === "") {
      if (required) this.fail(at, "required");
      return;
    }
    if (typeof value !== "string" || !SHORTHAND.test(value))
      this.fail(at, `expected a duration shorthand like 5m or 28d, got ${JSON.stringify(value)}`);
  }

  oneOf(at: string, o: Json, keys: string[]): string | undefined {
    const present = keys.filter((k) => given(o[k]));
    if (present.length !== 1) {
      this.fail(at, `exactly one of ${keys.join(", ")} (got ${present.join(", ") || "none"})`);
      return undefined;
    }
    return present[0];
  }

  boolean(at: string, value: unknown): void {
    if (value !== undefined && typeof value !== "boolean") this.fail(at, "expected true or false");
  }

  /** apiVersion (top level only), kind, metadata; the name is recorded for uniqueness. */
  envelope(at: string, o: unknown, kind: string, topLevel: boolean): Json | undefined {
    if (!isRecord(o)) {
      this.fail(at, `expected a ${kind} object`);
      return undefined;
    }
    if (topLevel && o.apiVersion !== API_VERSION)
      this.fail(`${at}.apiVersion`, `expected ${API_VERSION}`);
    if ((topLevel || kind !== "SLI") && o.kind !== kind)
      this.fail(`${at}.kind`, `expected ${kind}`);
    this.metadata(`${at}.metadata`, o.metadata, kind);
    if (!isRecord(o.spec)) {
      this.fail(`${at}.spec`, "required");
      return undefined;
    }
    return o.spec;
  }

  metadata(at: string, m: unknown, kind: string): void {
    if (!isRecord(m)) {
      this.fail(at, "required");
      return;
    }
    this.dnsLabel(`${at}.name`, m.name);
    if (typeof m.name === "string") {
      const names = this.defined.get(kind) ?? new Set<string>();
      if (names.has(m.name)) this.fail(`${at}.name`, `${kind} '${m.name}' defined twice`);
      this.defined.set(kind, names.add(m.name));
    }
    if (m.displayName !== undefined) {
      if (typeof m.displayName !== "string") this.fail(`${at}.displayName`, "expected a string");
      else if (m.displayName.length > MAX_DISPLAY_NAME)
        this.fail(
          `${at}.displayName`,
          `${m.displayName.length} characters, at most ${MAX_DISPLAY_NAME}`,
        );
    }
    this.labels(`${at}.labels`, m.labels);
    this.annotations(`${at}.annotations`, m.annotations);
  }

  labels(at: string, labels: unknown): void {
    if (labels === undefined) return;
    if (!isRecord(labels)) {
      this.fail(at, "expected a mapping");
      return;
    }
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k)) this.fail(`${at}.${k}`, "not a valid label key");
      const values = Array.isArray(v) ? v : [v];
      if (!values.every((x) => typeof x === "string"))
        this.fail(`${at}.${k}`, "expected a string or a list of strings");
    }
  }

  annotations(at: string, annotations: unknown): void {
    if (annotations === undefined) return;
    if (!isRecord(annotations)) {
      this.fail(at, "expected a mapping");
      return;
    }
    for (const [k, v] of Object.entries(annotations)) {
      if (!ANNOTATION_KEY_LENGTH.test(k) || !ANNOTATION_KEY.test(k))
        this.fail(`${at}.${k}`, "not a valid annotation key");
      if (typeof v !== "string") this.fail(`${at}.${k}`, "expected a string");
    }
  }

  reference(at: string, kind: string, name: unknown): void {
    this.dnsLabel(at, name);
    if (typeof name === "string") this.references.push({ kind, name, at });
  }

  /** A list item that is a reference or the object inline; returns the inline spec. */
  refOrInline(at: string, item: unknown, refKey: string, kind: string): Json | undefined {
    if (!isRecord(item)) {
      this.fail(at, "expected a mapping");
      return undefined;
    }
    const hasRef = given(item[refKey]);
    const hasInline = given(item.spec) || given(item.metadata) || given(item.kind);
    if (hasRef === hasInline) {
      this.fail(at, `exactly one of ${refKey} or an inline ${kind}`);
      return undefined;
    }
    if (hasRef) {
      this.reference(`${at}.${refKey}`, kind, item[refKey]);
      return undefined;
    }
    return this.envelope(at, item, kind, false);
  }

  // Per kind.

  service(at: string, spec: Json): void {
    this.description(at, spec);
  }

  dataSource(at: string, spec: Json): void {
    this.description(at, spec);
    this.requiredString(`${at}.type`, spec.type);
    if (!given(spec.connectionDetails)) this.fail(`${at}.connectionDetails`, "required");
  }

  slo(at: string, spec: Json): void {
    this.description(at, spec);
    this.requiredString(`${at}.service`, spec.service);
    const method = spec.budgetingMethod;
    if (typeof method !== "string" || !METHODS.includes(method))
      this.fail(`${at}.budgetingMethod`, `one of ${METHODS.join(", ")} required`);
    this.timeWindows(`${at}.timeWindow`, spec.timeWindow);
    const indicator = this.oneOf(at, spec, ["indicator", "indicatorRef"]);
    let sliKind: string | undefined;
    if (indicator === "indicatorRef")
      this.reference(`${at}.indicatorRef`, "SLI", spec.indicatorRef);
    if (indicator === "indicator") {
      const sli = this.envelope(`${at}.indicator`, spec.indicator, "SLI", false);
      if (sli) sliKind = this.sli(`${at}.indicator.spec`, sli);
    }
    if (!Array.isArray(spec.objectives) || spec.objectives.length === 0)
      this.fail(`${at}.objectives`, "at least one objective required");
    else
      spec.objectives.forEach((o, i) => {
        this.objective(`${at}.objectives[${i}]`, o, String(method), sliKind);
      });
    if (spec.alertPolicies !== undefined) {
      if (!Array.isArray(spec.alertPolicies)) this.fail(`${at}.alertPolicies`, "expected a list");
      else
        spec.alertPolicies.forEach((p, i) => {
          const policy = this.refOrInline(
            `${at}.alertPolicies[${i}]`,
            p,
            "alertPolicyRef",
            "AlertPolicy",
          );
          if (policy) this.alertPolicy(`${at}.alertPolicies[${i}].spec`, policy);
        });
    }
  }

  timeWindows(at: string, windows: unknown): void {
    if (!Array.isArray(windows) || windows.length !== 1) {
      this.fail(at, "exactly one time window required");
      return;
    }
    const w = windows[0];
    if (!isRecord(w)) {
      this.fail(`${at}[0]`, "expected a mapping");
      return;
    }
    this.shorthand(`${at}[0].duration`, w.duration, true);
    this.boolean(`${at}[0].isRolling`, w.isRolling);
    const rolling = w.isRolling === true;
    if (rolling && given(w.calendar)) this.fail(`${at}[0].calendar`, "not with isRolling: true");
    if (!rolling && !given(w.calendar))
      this.fail(`${at}[0].calendar`, "required with isRolling: false");
    if (isRecord(w.calendar)) {
      const { startTime, timeZone } = w.calendar;
      if (typeof startTime !== "string" || !DATE_TIME.test(startTime))
        this.fail(`${at}[0].calendar.startTime`, "expected 2006-01-02 15:04:05");
      if (typeof timeZone !== "string" || !knownTimeZone(timeZone))
        this.fail(`${at}[0].calendar.timeZone`, "expected an IANA time zone");
    }
  }

  objective(at: string, o: unknown, method: string, sliKind: string | undefined): void {
    if (!isRecord(o)) {
      this.fail(at, "expected a mapping");
      return;
    }
    if (o.op !== undefined && !OPERATORS.includes(String(o.op)))
      this.fail(`${at}.op`, `one of ${OPERATORS.join(", ")}`);
    const target = this.oneOf(at, o, ["target", "targetPercent"]);
    if (target) {
      const v = o[target];
      const max = target === "target" ? 1 : 100;
      if (typeof v !== "number" || v < 0 || v >= max)
        this.fail(`${at}.${target}`, `a number in [0, ${max})`);
    }
    if (sliKind === "thresholdMetric") {
      if (o.op === undefined) this.fail(`${at}.op`, "required with a thresholdMetric");
      if (typeof o.value !== "number")
        this.fail(`${at}.value`, "a number required with a thresholdMetric");
    }
    if (sliKind === "ratioMetric") {
      for (const k of ["op", "value"])
        if (o[k] !== undefined) this.fail(`${at}.${k}`, "not with a ratioMetric");
    }
    if (method === "Timeslices") {
      const t = o.timeSliceTarget;
      if (typeof t !== "number" || t <= 0 || t > 1)
        this.fail(`${at}.timeSliceTarget`, "a number in (0, 1] required");
    }
    if (method === "Timeslices" || method === "RatioTimeslices")
      this.shorthand(`${at}.timeSliceWindow`, o.timeSliceWindow, true);
  }

  /** The SLI spec; returns which metric it has. */
  sli(at: string, spec: Json): string | undefined {
    this.description(at, spec);
    const kind = this.oneOf(at, spec, ["thresholdMetric", "ratioMetric"]);
    if (kind === "thresholdMetric") this.metric(`${at}.thresholdMetric`, spec.thresholdMetric);
    if (kind === "ratioMetric") this.ratio(`${at}.ratioMetric`, spec.ratioMetric);
    return kind;
  }

  ratio(at: string, r: unknown): void {
    if (!isRecord(r)) {
      this.fail(at, "expected a mapping");
      return;
    }
    this.boolean(`${at}.counter`, r.counter);
    const base = this.oneOf(at, r, ["total", "raw"]);
    if (base === "total") {
      const part = this.oneOf(at, r, ["good", "bad"]);
      this.metric(`${at}.total`, r.total);
      if (part) this.metric(`${at}.${part}`, r[part]);
    }
    if (base === "raw") {
      if (given(r.good) || given(r.bad)) this.fail(at, "raw takes neither good nor bad");
      if (r.rawType !== "success" && r.rawType !== "failure")
        this.fail(`${at}.rawType`, "success or failure required");
      this.metric(`${at}.raw`, r.raw);
    }
  }

  metric(at: string, m: unknown): void {
    const source = isRecord(m) ? m.metricSource : undefined;
    if (!isRecord(source)) {
      this.fail(`${at}.metricSource`, "required");
      return;
    }
    if (source.metricSourceRef !== undefined && source.metricSourceRef !== "")
      this.reference(`${at}.metricSource.metricSourceRef`, "DataSource", source.metricSourceRef);
    if (!isRecord(source.spec) || Object.keys(source.spec).length === 0)
      this.fail(`${at}.metricSource.spec`, "a non-empty mapping required");
  }

  alertPolicy(at: string, spec: Json): void {
    this.description(at, spec);
    for (const k of ["alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"])
      this.boolean(`${at}.${k}`, spec[k]);
    const conditions = spec.conditions;
    if (!Array.isArray(conditions) || conditions.length !== 1) {
      this.fail(`${at}.conditions`, "exactly one condition");
    } else {
      const c = this.refOrInline(
        `${at}.conditions[0]`,
        conditions[0],
        "conditionRef",
        "AlertCondition",
      );
      if (c) this.alertCondition(`${at}.conditions[0].spec`, c);
    }
    const targets = spec.notificationTargets;
    if (!Array.isArray(targets) || targets.length === 0) {
      this.fail(`${at}.notificationTargets`, "at least one notification target");
      return;
    }
    targets.forEach((t, i) => {
      const target = this.refOrInline(
        `${at}.notificationTargets[${i}]`,
        t,
        "targetRef",
        "AlertNotificationTarget",
      );
      if (target) this.notificationTarget(`${at}.notificationTargets[${i}].spec`, target);
    });
  }

  alertCondition(at: string, spec: Json): void {
    this.description(at, spec);
    this.requiredString(`${at}.severity`, spec.severity);
    const c = spec.condition;
    if (!isRecord(c)) {
      this.fail(`${at}.condition`, "required");
      return;
    }
    if (c.kind !== "burnrate") this.fail(`${at}.condition.kind`, "burnrate required");
    if (!OPERATORS.includes(String(c.op)))
      this.fail(`${at}.condition.op`, `one of ${OPERATORS.join(", ")} required`);
    if (typeof c.threshold !== "number")
      this.fail(`${at}.condition.threshold`, "a number required");
    this.shorthand(`${at}.condition.lookbackWindow`, c.lookbackWindow, true);
    this.shorthand(`${at}.condition.alertAfter`, c.alertAfter, false);
  }

  notificationTarget(at: string, spec: Json): void {
    this.description(at, spec);
    this.requiredString(`${at}.target`, spec.target);
  }

  /**
   * The proposal's BudgetAdjustment (OpenSLO/OpenSLO#301, an
   * openslo.com/v2alpha document beside the v1 ones): a name, an RFC 3339
   * firstEventStart, a duration shorthand, filters.slos naming SLOs of the set.
   */
  budgetAdjustment(at: string, doc: Json): void {
    if (!isRecord(doc.metadata) || typeof doc.metadata.name !== "string")
      this.fail(`${at}.metadata.name`, "a name required");
    const spec = isRecord(doc.spec) ? doc.spec : {};
    const start = spec.firstEventStart;
    if (
      typeof start !== "string" ||
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(start)
    )
      this.fail(`${at}.spec.firstEventStart`, "an RFC 3339 time required");
    this.shorthand(`${at}.spec.duration`, spec.duration, true);
    const slos = isRecord(spec.filters) ? spec.filters.slos : undefined;
    if (!Array.isArray(slos) || slos.length === 0)
      this.fail(`${at}.spec.filters.slos`, "a list of SLOs required");
    else
      for (const [i, slo] of slos.entries())
        this.reference(
          `${at}.spec.filters.slos[${i}].name`,
          "SLO",
          isRecord(slo) ? slo.name : undefined,
        );
  }

  /** One top-level document. */
  document(at: string, doc: unknown): void {
    const kind = isRecord(doc) ? String(doc.kind) : "?";
    if (isRecord(doc) && kind === "BudgetAdjustment" && doc.apiVersion === "openslo.com/v2alpha") {
      this.budgetAdjustment(at, doc);
      return;
    }
    const known: Record<string, (at: string, spec: Json) => unknown> = {
      Service: (a, s) => this.service(a, s),
      DataSource: (a, s) => this.dataSource(a, s),
      SLO: (a, s) => this.slo(a, s),
      SLI: (a, s) => this.sli(a, s),
      AlertPolicy: (a, s) => this.alertPolicy(a, s),
      AlertCondition: (a, s) => this.alertCondition(a, s),
      AlertNotificationTarget: (a, s) => this.notificationTarget(a, s),
    };
    const check = known[kind];
    if (!check) {
      this.fail(`${at}.kind`, `not an OpenSLO v1 kind: ${kind}`);
      return;
    }
    const spec = this.envelope(at, doc, kind, true);
    if (spec) check(`${at}.spec`, spec);
  }
}

function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every rule the documents break, as `where: what`; [] when they pass. */
export function openSloViolations(documents: { file: string; docs: unknown[] }[]): string[] {
  const checker = new Checker();
  for (const { file, docs } of documents) {
    docs.forEach((doc, i) => {
      const name = isRecord(doc) && isRecord(doc.metadata) ? String(doc.metadata.name) : "?";
      checker.document(`${file}#${i + 1} ${isRecord(doc) ? String(doc.kind) : "?"} '${name}'`, doc);
    });
  }
  for (const ref of checker.references) {
    if (!checker.defined.get(ref.kind)?.has(ref.name))
      checker.fail(ref.at, `no ${ref.kind} named '${ref.name}'`);
  }
  return checker.problems;
}
