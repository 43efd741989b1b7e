/**
 * Pyrra resources convert to slo's native format and to OpenSLO without
 * changing what they mean: the resources and the converted files evaluate to
 * the same report on the same data, and back again.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT } from "../support/cli.js";
import { convertInto, expectSameAfterConversion } from "./openslo-roundtrip.js";

const VALID = join(ROOT, "test", "fixtures", "pyrra", "valid");

describe("Pyrra -> native and Pyrra -> OpenSLO", () => {
  it.each([["shop.yaml"], ["search.yaml"], ["exported-list.yaml"], ["native-latency.yaml"]])(
    "%s evaluates the same after conversion",
    (name) => expectSameAfterConversion(join(VALID, name)),
  );

  it("the OpenSLO file's burn-rate thresholds are Pyrra's factors exactly", async () => {
    const dir = await convertInto([join(VALID, "shop.yaml")], "openslo");
    const text = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    const thresholds = [...text.matchAll(/threshold: (\S+)$/gm)].map((m) => m[1]);
    expect(new Set(thresholds)).toEqual(new Set(["14", "7", "2", "1"]));
  });

  it("the native file keeps Pyrra's windows, alert name, severities and labels", async () => {
    const dir = await convertInto([join(VALID, "shop.yaml")], "native");
    const text = readFileSync(join(dir, "shop.yaml"), "utf8");
    expect(text).toContain("service: shop");
    expect(text).toContain("url: ${PROMETHEUS_URL:-http://localhost:9090}");
    expect(text).toContain("window: 4w");
    expect(text).toContain("alertname: CheckoutErrorBudgetBurn");
    expect(text).toContain("severity: critical");
    expect(text).toContain("team: payments");
    expect(text).toContain('histogram: shop_request_duration_seconds{handler="checkout"}');
    // Pyrra's factors as burnRate, exactly: no share recomputed from them (2.08333333333%).
    expect(text).toMatch(/burnRate: 14\n/);
    expect(text).not.toMatch(/share: /);
    const { set, errors } = await loadSpec([dir], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const [original] = (await loadSpec([join(VALID, "shop.yaml")], { env: {}, cwd: ROOT })).set
      .services;
    expect(set.services[0]!.slos.map((s) => s.alerting)).toEqual(
      original!.slos.map((s) => s.alerting),
    );
  });
});
