/**
 * `slo check` as a user runs it, against a real VictoriaMetrics (Debian's,
 * installed when missing) holding the same 31 days as the Prometheus test,
 * imported through its API: every SLI and burn rate is VictoriaMetrics' own
 * answer at --at (it does not extrapolate, so not always Prometheus').
 * The tests themselves are in test/support/check-metrics.ts.
 */

import { rm } from "node:fs/promises";
import { describeCheckAgainst } from "../support/check-metrics.js";
import { AT, generateHistory, toPrometheusTextBodies } from "../support/metrics-history.js";
import {
  loadVictoriaMetrics,
  requireBinaries,
  startVictoriaMetrics,
  tempDir,
} from "../support/servers.js";

const available = await requireBinaries(["victoria-metrics"], "slo check on VictoriaMetrics");

describeCheckAgainst("VictoriaMetrics", available, async () => {
  const data = await tempDir("check-victoria-metrics-data");
  const server = await startVictoriaMetrics(data);
  const stop = async () => {
    await server.stop();
    await rm(data, { recursive: true, force: true });
  };
  try {
    // The newest samples: the 5m window before AT.
    await loadVictoriaMetrics(server.url, toPrometheusTextBodies(generateHistory()), {
      query: "sum(increase(http_requests_total[5m]))",
      atMs: AT,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: server.url, stop };
});
