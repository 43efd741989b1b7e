/**
 * Sloth specs convert to slo's native format and to OpenSLO without changing
 * what they mean: the original spec and the converted files evaluate to the
 * same report on the same data.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";
import { convertInto, evaluate, expectSameAfterConversion, meaning } from "./openslo-roundtrip.js";

const VALID = join(ROOT, "test", "fixtures", "sloth", "valid");

describe("Sloth -> native and Sloth -> OpenSLO", () => {
  it.each([["payments.yaml"], ["kubernetes.yaml"]])(
    "%s evaluates the same after conversion",
    (name) => expectSameAfterConversion(join(VALID, name)),
  );

  it("the native file says where Prometheus is, the way the Sloth spec implied it", async () => {
    const dir = await convertInto([join(VALID, "payments.yaml")], "native");
    const text = readFileSync(join(dir, "payments.yaml"), "utf8");
    expect(text).toContain("url: ${PROMETHEUS_URL:-http://localhost:9090}");
    expect(text).toContain("alertname: PaymentsAuthorizeErrors");
    expect(text).toContain(
      'sum(increase(payments_requests_total{handler="authorize"}[{{window}}]))',
    );
    const env = { PROMETHEUS_URL: "http://prom.example:9090" };
    const again = await evaluate([dir], { env });
    expect(meaning(again)).toEqual(
      meaning(await evaluate([join(VALID, "payments.yaml")], { env })),
    );
  });
});
