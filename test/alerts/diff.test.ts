import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffAlerts } from "../../src/alerts/diff.js";

type V = { severity: string };
const map = (entries: Record<string, string>) =>
  new Map<string, V>(Object.entries(entries).map(([k, severity]) => [k, { severity }]));
const scope = (keys: string[], unknown: string[] = []) => ({
  inScope: new Set(keys),
  unknown: new Set(unknown),
});

describe("diffAlerts", () => {
  it("reports what fired, changed, resolved and stayed", () => {
    const changes = diffAlerts(
      map({ a: "page", b: "ticket", c: "page" }),
      map({ a: "page", b: "page", d: "ticket" }),
      scope(["a", "b", "c", "d"]),
    );
    expect(changes.map((c) => [c.kind, c.key])).toEqual([
      ["unchanged", "a"],
      ["changed", "b"],
      ["resolved", "c"],
      ["fired", "d"],
    ]);
  });

  it("never resolves an alert whose SLO could not be evaluated", () => {
    const changes = diffAlerts(map({ a: "page" }), map({}), scope(["a"], ["a"]));
    expect(changes).toEqual([]);
  });

  it("leaves alone keys outside this run's SLOs (a state file shared with other paths)", () => {
    const changes = diffAlerts(map({ other: "page" }), map({ a: "ticket" }), scope(["a"]));
    expect(changes.map((c) => [c.kind, c.key])).toEqual([["fired", "a"]]);
  });

  it("a rerun with nothing new reports nothing new (idempotence, any states)", () => {
    const state = fc.dictionary(
      fc.constantFrom("a", "b", "c", "d"),
      fc.constantFrom("page", "ticket"),
    );
    fc.assert(
      fc.property(state, state, (before, now) => {
        const keys = ["a", "b", "c", "d"];
        const first = diffAlerts(map(before), map(now), scope(keys));
        // Applying the changes to the previous state gives the current state...
        const applied = new Map(map(before));
        for (const c of first) {
          if (c.kind === "resolved") applied.delete(c.key);
          else applied.set(c.key, c.current);
        }
        expect(Object.fromEntries([...applied].map(([k, v]) => [k, v.severity]))).toEqual(now);
        // ...and diffing again against it finds nothing to send.
        const second = diffAlerts(applied, map(now), scope(keys));
        expect(second.every((c) => c.kind === "unchanged")).toBe(true);
      }),
    );
  });
});
