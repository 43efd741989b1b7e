/**
 * OpenSLO names are global per kind; slo's SLO names are unique per service.
 * Two services with an SLO of the same name convert to documents with
 * distinct names (the service's name first), every kind of object too, and
 * the result loads and evaluates as the original; displayName keeps the
 * name as written.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import { convertPaths } from "../../src/definition/write/convert.js";
import { ROOT } from "../support/cli.js";
import { convertInto, evaluate, meaning } from "./openslo-roundtrip.js";
import { openSloViolations } from "./openslo-validation.js";

const DIR = join(ROOT, "test", "fixtures", "convert-names");
const INPUTS = [join(DIR, "api.yaml"), join(DIR, "web.yaml")];

interface Named {
  kind: string;
  name: string;
  displayName?: string;
}

/** Every named object of the documents, inline ones (an SLO's SLI, policies, conditions, targets) too. */
function namedObjects(value: unknown, out: Named[] = []): Named[] {
  if (Array.isArray(value)) {
    for (const v of value) namedObjects(v, out);
  } else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const meta = o.metadata as { name?: string; displayName?: string } | undefined;
    if (typeof meta?.name === "string") {
      const kind = typeof o.kind === "string" ? o.kind : "SLI";
      out.push({
        kind,
        name: meta.name,
        ...(meta.displayName ? { displayName: meta.displayName } : {}),
      });
    }
    for (const v of Object.values(o)) namedObjects(v, out);
  }
  return out;
}

function documentsIn(dir: string): unknown[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()));
}

describe("slo convert --to openslo: names that clash across services", () => {
  it("SLOs of the same name in two services load together after conversion", async () => {
    const out = await convertInto(INPUTS, "openslo");
    const { errors } = await loadSpec([out], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
  });

  it("every object's name is unique per kind, inline objects too", async () => {
    const out = await convertInto(INPUTS, "openslo");
    const named = namedObjects(documentsIn(out));
    const keys = named.map((n) => `${n.kind}/${n.name}`);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it("a clashing SLO is named service-name, displayName keeps its name; the others keep theirs", async () => {
    const out = await convertInto(INPUTS, "openslo");
    const slos = namedObjects(documentsIn(out)).filter((n) => n.kind === "SLO");
    expect(slos).toEqual([
      { kind: "SLO", name: "api-availability", displayName: "availability" },
      { kind: "SLO", name: "api-latency", displayName: "latency" },
      { kind: "SLO", name: "web-availability" },
      { kind: "SLO", name: "web-availability-2", displayName: "availability" },
      { kind: "SLO", name: "web-latency", displayName: "latency" },
    ]);
  });

  it("the same input gives the same names and text every time", async () => {
    const a = await convertPaths(INPUTS, "openslo", { outDir: "/tmp/a", cwd: ROOT });
    const b = await convertPaths([...INPUTS], "openslo", { outDir: "/tmp/a", cwd: ROOT });
    expect(a.files).toEqual(b.files);
  });

  it("the converted SLOs evaluate as the originals under their own names (slo/name), and so after converting back to native", async () => {
    const original = await evaluate(INPUTS);
    const openslo = await convertInto(INPUTS, "openslo");
    expect(meaning(await evaluate([openslo]))).toEqual(meaning(original));
    const back = await convertInto([openslo], "native");
    expect(meaning(await evaluate([back]))).toEqual(meaning(original));
    for (const s of original.slos) expect(s.events.total, s.name).toBeGreaterThan(0);
  });

  it("one service written in two files is one Service, its two sources named apart", async () => {
    const split = join(DIR, "split");
    const original = await evaluate([split]);
    const out = await convertInto([split], "openslo");
    const named = namedObjects(documentsIn(out));
    expect(named.filter((n) => n.kind === "Service").map((n) => n.name)).toEqual(["api"]);
    expect(named.filter((n) => n.kind === "DataSource").map((n) => n.name)).toEqual([
      "prom",
      "prom-2",
    ]);
    expect(meaning(await evaluate([out]))).toEqual(meaning(original));
  });

  it("one service in two files with different labels is refused: one Service document cannot say both", async () => {
    const split = join(DIR, "split-labels");
    await expect(convertPaths([split], "openslo", { outDir: "/tmp/a", cwd: ROOT })).rejects.toThrow(
      /service 'api' is written in .*api-reads\.yaml and .*api-writes\.yaml with different labels/,
    );
    // The native format says it as it was.
    const back = await convertInto([split], "native");
    expect(meaning(await evaluate([back]))).toEqual(meaning(await evaluate([split])));
  });
});

describe("slo convert --to openslo: names OpenSLO cannot hold as written", () => {
  const ODD = join(DIR, "odd-names.yaml");

  it("every name is an RFC 1123 label (the Go SDK's rule), and the SLOs read back under their own names", async () => {
    const out = await convertInto([ODD], "openslo");
    const docs = documentsIn(out);
    const named = namedObjects(docs);
    for (const n of named) {
      expect(n.name, `${n.kind} ${n.name}`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(n.name.length, n.name).toBeLessThanOrEqual(63);
    }
    expect(openSloViolations([{ file: "out", docs }])).toEqual([]);
    expect(named.filter((n) => n.kind === "SLO")).toEqual([
      { kind: "SLO", name: "checkout-availability-2", displayName: "Checkout_Availability" },
      { kind: "SLO", name: "checkout-availability", displayName: "The other checkout" },
      // too long for a displayName too: slo/name keeps it
      { kind: "SLO", name: "refunds-are-answered-without-a-server-error-in-every-region-we" },
    ]);
    expect(named.filter((n) => n.kind === "Service")).toEqual([
      { kind: "Service", name: "payments-api" },
    ]);

    const original = await evaluate([ODD]);
    expect(meaning(await evaluate([out]))).toEqual(meaning(original));
    const { set } = await loadSpec([out], { env: {}, cwd: ROOT });
    expect(set.services.map((s) => s.service)).toEqual(["Payments_API"]);
    expect(set.services[0]!.slos.map((s) => [s.name, s.displayName])).toEqual([
      ["Checkout_Availability", undefined],
      ["checkout-availability", "The other checkout"],
      ["refunds-are-answered-without-a-server-error-in-every-region-we-serve-today", undefined],
    ]);
  });
});
