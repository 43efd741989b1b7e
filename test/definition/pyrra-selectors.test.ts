/**
 * Pyrra's metric selectors as slo reads them: matchers by their parts, the
 * histogram a latency is on, and the errors that fall outside the total.
 */

import { describe, expect, it } from "vitest";
import {
  histogramLatency,
  matchersMissingFromErrors,
  parseMatcher,
} from "../../src/definition/pyrra/selectors.js";

describe("Pyrra selectors", () => {
  it("reads a matcher whatever its quotes and spaces", () => {
    expect(parseMatcher('code=~"5.."')).toEqual({ name: "code", op: "=~", value: "5.." });
    expect(parseMatcher(" path != '/a\\'b' ")).toEqual({ name: "path", op: "!=", value: "/a'b" });
    expect(parseMatcher('"service.name"="api"')).toEqual({
      name: "service.name",
      op: "=",
      value: "api",
    });
    expect(parseMatcher('msg="say \\"hi\\""')).toEqual({ name: "msg", op: "=", value: 'say "hi"' });
  });

  it("a latency is on one histogram when only le tells the bucket from the count", () => {
    expect(
      histogramLatency(
        'h_seconds_bucket{job="api", le="0.3", verb=~"GET|LIST"}',
        'h_seconds_count{verb=~"GET|LIST",job="api"}',
      ),
    ).toEqual({ histogram: 'h_seconds{verb=~"GET|LIST", job="api"}', le: 0.3 });
    expect(histogramLatency('h_bucket{le="1"}', "h_count")).toEqual({ histogram: "h", le: 1 });
    // Not one histogram: Pyrra's ratio of the two, as written.
    expect(histogramLatency('h_bucket{le="1"}', 'h_count{job="a"}')).toBeNull();
    expect(histogramLatency('h_bucket{le="1"}', "g_count")).toBeNull();
    expect(histogramLatency('h_bucket{le="+Inf"}', "h_count")).toBeNull();
  });

  it("names the total's matchers the errors leave out, on the same metric only", () => {
    expect(
      matchersMissingFromErrors('r_total{code=~"5.."}', 'r_total{job="api", env="prod"}'),
    ).toEqual(['job="api"', 'env="prod"']);
    expect(
      matchersMissingFromErrors('r_total{job="api",code="500"}', 'r_total{job="api"}'),
    ).toEqual([]);
    expect(matchersMissingFromErrors('e_total{code="500"}', 'r_total{job="api"}')).toEqual([]);
    // Metrics named by __name__ are different metrics, not a missing matcher.
    expect(
      matchersMissingFromErrors('{__name__="errors_total"}', '{__name__="requests_total"}'),
    ).toEqual([]);
  });
});
