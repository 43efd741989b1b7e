/**
 * The dependency health gate: each `health:` URL of an SLO file answers with
 * the state of the service's dependencies, e.g. `GET myservice/health/status`
 *   [{"Name":"myDB","Status":"TIMEOUT","StatusTime":"2019-07-19T09:27:56.45Z"},
 *    {"Name":"kafka","Status":"OK","StatusTime":"..."}]
 * (or HTTP 503 with that body). While a dependency is not OK the gate fails,
 * or warns, as the check's `onFailure` says.
 */

import type { RunResult } from "../engine/status.js";
import { SloError } from "../errors.js";
import type { HealthReport } from "../report/schema.js";
import { createHttpClient, redactUrl } from "../sources/http.js";
import type { HealthCheck, SloSet } from "../spec/model.js";

export interface HealthOptions {
  /** per attempt (default 10 s) */
  timeoutMs?: number;
  /** after a connection error or a 5xx other than 503 (default 1) */
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
  const { base, path } = splitUrl(check.url);
  const client = createHttpClient({
    label: `health check '${check.name}'`,
    url: base,
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: options.retries ?? 1,
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

export type HealthDependency = HealthReport["dependencies"][number];

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

/**
 * The run's result with the health gate applied: a failing check with
 * `onFailure: fail` fails the run, one with `warn` makes a pass a warning.
 */
export function resultWithHealth(result: RunResult, health: readonly HealthReport[]): RunResult {
  if (health.some((h) => !h.ok && h.onFailure === "fail")) return "fail";
  if (result === "pass" && health.some((h) => !h.ok && h.onFailure === "warn")) return "warn";
  return result;
}

/** The helper appends paths to a base: split the URL at its last segment so it is kept exactly. */
function splitUrl(url: string): { base: string; path: string } {
  try {
    const u = new URL(url);
    const last = u.pathname.slice(u.pathname.lastIndexOf("/") + 1);
    u.pathname = u.pathname.slice(0, u.pathname.length - last.length);
    return { base: u.toString(), path: last };
  } catch {
    // createHttpClient reports the invalid URL when the request is made.
    return { base: url, path: "" };
  }
}
