/**
 * The dependency health gate: each `health:` URL of an SLO file answers with
 * the state of the service's dependencies, e.g. `GET myservice/health/status`
 *   [{"Name":"myDB","Status":"TIMEOUT","StatusTime":"2019-07-19T09:27:56.45Z"},
 *    {"Name":"kafka","Status":"OK","StatusTime":"..."}]
 * (or HTTP 503 with that body). While a dependency is not OK the gate fails,
 * or warns, as the check's `onFailure` says.
 */

import { DEFAULT_HEALTH } from "../defaults.js";
import type { HealthCheck, SloSet } from "../definition/model.js";
import { SloError } from "../errors.js";
import { createHttpClient, redactUrl, splitLastSegment } from "../http/client.js";

/** What one check found; the report carries it as it is. */
export interface HealthReport {
  service: string;
  name: string;
  /** redacted: a token in the URL never reaches the report */
  url: string;
  ok: boolean;
  onFailure: "fail" | "warn";
  dependencies: HealthDependency[];
  error: string | null;
}

export interface HealthDependency {
  name: string;
  status: string;
  statusTime: string | null;
}

export interface HealthOptions {
  /** per attempt (default: DEFAULT_HEALTH) */
  timeoutMs?: number;
  /** after a connection error or a 5xx other than 503 */
  retries?: number;
}

/** Unhealthy is an answer, not an outage: 503 carries the list of dependencies. */
const UNHEALTHY_STATUS = 503;

export async function runHealthChecks(
  set: SloSet,
  options: HealthOptions = {},
): Promise<HealthReport[]> {
  const checks = set.services.flatMap((s) => s.health.map((h) => ({ service: s.service, h })));
  return Promise.all(checks.map(({ service, h }) => checkHealth(service, h, options)));
}

export async function checkHealth(
  service: string,
  check: HealthCheck,
  options: HealthOptions = {},
): Promise<HealthReport> {
  const report = (fields: Pick<HealthReport, "ok" | "dependencies" | "error">): HealthReport => ({
    service,
    name: check.name,
    // The URL may carry a token in its query or user:pass@: never into the report.
    url: redactUrl(check.url),
    onFailure: check.onFailure,
    ...fields,
  });
  const { base, path } = splitLastSegment(check.url);
  const client = createHttpClient({
    label: `health check '${check.name}'`,
    url: base,
    timeoutMs: options.timeoutMs ?? DEFAULT_HEALTH.timeoutMs,
    retries: options.retries ?? DEFAULT_HEALTH.retries,
  });
  try {
    const response = await client.request({ path, acceptStatus: [UNHEALTHY_STATUS] });
    const parsed = parseHealthBody(response.text);
    if ("error" in parsed) {
      return report({
        ok: false,
        dependencies: [],
        error: client.redact(`HTTP ${response.status}: ${parsed.error}`),
      });
    }
    const allOk = parsed.dependencies.every(isOk);
    const healthy = response.status !== UNHEALTHY_STATUS && allOk;
    return report({
      ok: healthy,
      dependencies: parsed.dependencies,
      error: !healthy && allOk ? `HTTP ${response.status} although every dependency says OK` : null,
    });
  } catch (error) {
    const message = error instanceof SloError ? error.message : String(error);
    return report({ ok: false, dependencies: [], error: client.redact(message) });
  }
}

/**
 * The body: a JSON array of {Name, Status, StatusTime}. Keys are matched
 * without regard to case (`name`, `status`, `statusTime` / `status_time`).
 */
export function parseHealthBody(
  text: string,
): { dependencies: HealthDependency[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: "the body is not JSON; expected a list of {Name, Status, StatusTime}" };
  }
  if (!Array.isArray(value)) {
    return { error: "expected a JSON list of {Name, Status, StatusTime}" };
  }
  const dependencies: HealthDependency[] = [];
  for (const [i, item] of value.entries()) {
    const fields = new Map<string, unknown>();
    if (item && typeof item === "object") {
      for (const [k, v] of Object.entries(item)) fields.set(k.toLowerCase().replace(/_/g, ""), v);
    }
    const name = fields.get("name");
    const status = fields.get("status");
    const time = fields.get("statustime");
    if (typeof name !== "string" || typeof status !== "string") {
      return { error: `entry ${i + 1} has no Name and Status strings` };
    }
    dependencies.push({ name, status, statusTime: typeof time === "string" ? time : null });
  }
  return { dependencies };
}

function isOk(d: HealthDependency): boolean {
  return d.status.trim().toUpperCase() === "OK";
}
