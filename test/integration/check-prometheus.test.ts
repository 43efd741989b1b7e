/**
 * `slo check` as a user runs it, against a real Prometheus (Debian's,
 * installed when missing) holding 31 days of 1-minute data backfilled with
 * promtool: every SLI and burn rate is Prometheus' own answer at --at.
 * The tests themselves are in test/support/check-metrics.ts, shared with
 * VictoriaMetrics.
 */

import { rm } from "node:fs/promises";
import { describeCheckAgainst } from "../support/check-metrics.js";
import { generateHistory, toOpenMetrics } from "../support/metrics-history.js";
import { createBlocks, requireBinaries, startPrometheus, tempDir } from "../support/servers.js";

const available = await requireBinaries(["prometheus", "promtool"], "slo check on Prometheus");

describeCheckAgainst("Prometheus", available, async () => {
  const data = await tempDir("check-prometheus-data");
  await createBlocks(toOpenMetrics(generateHistory()), data);
  const server = await startPrometheus(data);
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
});
