/**
 * Sloth's SLO plugins (v0.12+): a chain of Go plugins that change the rules
 * Sloth generates, at the service (`slo_plugins`, `sloPlugins`) or on one SLO
 * (`plugins`, whose `overridePrevious: true` drops the service's chain). slo
 * runs no Go code: each known id is mapped to what slo has, or refused by
 * name with the reason, so a file never means less in slo than in Sloth
 * without saying so.
 */

import { labelName } from "../conventions.js";
import { DEFAULT_MIN_EVENTS } from "../defaults.js";
import { closest, type DocReader } from "./doc-reader.js";
import { PROM_LABEL_NAME } from "./promql.js";
import type { PluginKeyCheck as KeyCheck } from "./sloth-sli-plugin.js";
import type { YamlPath } from "./yaml-source.js";

/** What a chain does to each SLO it applies to. */
export interface SloPluginEffect {
  /** added to the SLO's labels (the SLO's own win) */
  labels: Record<string, string>;
  /** alert_for is in the chain: page_alert.for and ticket_alert.for hold the alerts */
  alertFor?: boolean;
}

/** A chain as read: its effect, and whether it replaces the chain above it. */
export interface SloPluginChain extends SloPluginEffect {
  overridePrevious: boolean;
}

/** Applies page_alert.for and ticket_alert.for, which Sloth's core rules ignore. */
export const ALERT_FOR_PLUGIN = "sloth.dev/contrib/alert_for/v1";

type Reader = (r: DocReader, path: YamlPath, ctx: PluginContext) => SloPluginEffect | undefined;

interface PluginContext {
  keys: KeyCheck;
  /** reports at a path (at its `key`, when given) without failing the load */
  warn(path: YamlPath, message: string, hint?: string, key?: string): void;
}

/** What Prometheus 2 and Alertmanager's classic names accept, and so what slo's rules write. */

const NOTHING: Reader = () => ({ labels: {} });

/** Sloth's default chain and its no-ops: slo validates and writes its own rules already. */
const SAME_AS_SLO = [
  "sloth.dev/core/validate/v1",
  "sloth.dev/core/sli_rules/v1",
  "sloth.dev/core/metadata_rules/v1",
  "sloth.dev/core/alert_rules/v1",
  "sloth.dev/core/noop/v1",
  "sloth.dev/core/debug/v1",
];

const MAPPED: Record<string, Reader> = {
  ...Object.fromEntries(SAME_AS_SLO.map((id) => [id, NOTHING])),
  "sloth.dev/contrib/info_labels/v1": infoLabels,
  // Sloth's plugin reads no config: the pending times are the alerts' own `for`
  [ALERT_FOR_PLUGIN]: () => ({ labels: {}, alertFor: true }),
  "sloth.dev/contrib/denominator_corrected_rules/v1": (r, path, { warn }) => {
    warn(
      [...path, "id"],
      `sloth.dev/contrib/denominator_corrected_rules/v1: slo's own low-traffic guard applies instead: a burn-rate alert needs ${DEFAULT_MIN_EVENTS} events (minEvents) in its long window; burn rates are not weighed by traffic`,
      "to hold alerts back at lower traffic, convert the spec (slo convert --to native) and raise alerting.minEvents",
    );
    return { labels: {} };
  },
};

/** Plugins slo knows and cannot follow, with why and what to do. */
const REFUSED: Record<string, { why: string; instead: string }> = {
  "sloth.dev/contrib/remove_labels/v1": {
    why: "it removes labels from the recording rules, which slo's rules keep",
    instead: "remove it, and move the labels you do not want on the series off the SLO",
  },
  "sloth.dev/contrib/rule_intervals/v1": {
    why: "it sets the rule groups' evaluation intervals, which slo rules leaves to Prometheus",
    instead: "remove it, and set the interval on the groups slo rules writes",
  },
  "sloth.dev/contrib/sli_total_amount_rules/v1": {
    why: "it adds recording rules of the total SLI amount, which slo rules does not write",
    instead: "remove it: slo records the total events of each window itself",
  },
  "sloth.dev/contrib/error_budget_exhausted_alert/v1": {
    why: "it adds an alert when the budget is spent, which slo rules does not write",
    instead: "remove it: slo check fails the gate when the budget is spent",
  },
  "sloth.dev/contrib/validate_victoria_metrics/v1": {
    why: "it validates MetricsQL, and slo reads PromQL",
    instead: "remove it, and write the queries as PromQL",
  },
};

/** The chain at `path` (`slo_plugins`, `sloPlugins` or an SLO's `plugins`); undefined when absent or broken. */
export function readSloPluginChain(
  r: DocReader,
  path: YamlPath,
  ctx: PluginContext,
): SloPluginChain | undefined {
  if (!r.has(path) || !r.record(path)) return undefined;
  ctx.keys(r, path, ["overridePrevious", "chain"]);
  const overridePrevious = r.boolean([...path, "overridePrevious"]) ?? false;
  const chain = r.list([...path, "chain"]) ?? [];
  const labels: Record<string, string> = {};
  let alertFor = false;
  let ok = true;
  chain.forEach((_, i) => {
    const effect = readPlugin(r, [...path, "chain", i], ctx);
    if (effect) Object.assign(labels, effect.labels);
    else ok = false;
    alertFor ||= effect?.alertFor === true;
  });
  return ok ? { overridePrevious, labels, ...(alertFor ? { alertFor } : {}) } : undefined;
}

function readPlugin(r: DocReader, path: YamlPath, ctx: PluginContext): SloPluginEffect | undefined {
  if (!r.record(path, true)) return undefined;
  ctx.keys(r, path, ["id", "priority", "config"], { required: ["id"] });
  const id = r.string([...path, "id"], true);
  if (id === undefined) return undefined;
  const mapped = MAPPED[id];
  if (mapped) return mapped(r, path, ctx);
  const refused = REFUSED[id];
  if (refused) {
    r.fail(
      [...path, "id"],
      `Sloth SLO plugin '${id}': slo cannot do what it does: ${refused.why}`,
      refused.instead,
    );
    return undefined;
  }
  const known = Object.keys(MAPPED);
  const near = closest(id, [...known, ...Object.keys(REFUSED)]);
  r.fail(
    [...path, "id"],
    `unknown Sloth SLO plugin '${id}': slo cannot run a plugin's Go code`,
    `${near ? `did you mean '${near}'? ` : ""}slo maps: ${known.join(", ")}; remove the others, and set what they did with slo's own settings (see docs/interop.md)`,
  );
  return undefined;
}

/** sloth.dev/contrib/info_labels/v1: labels on Sloth's info series; slo puts them on the SLO. */
function infoLabels(r: DocReader, path: YamlPath, ctx: PluginContext): SloPluginEffect | undefined {
  const config = [...path, "config"];
  if (!r.record(config, true)) return undefined;
  ctx.keys(r, config, ["labels", "metricName"], { required: ["labels"] });
  if (!r.has([...config, "labels"])) {
    r.missing([...config, "labels"]);
    return undefined;
  }
  if (r.has([...config, "metricName"])) {
    ctx.warn(
      [...config, "metricName"],
      "slo's info series keeps its own name: the labels go on the SLO, and so on every series slo records for it",
    );
  }
  const labels = r.labels([...config, "labels"]);
  for (const name of Object.keys(labels)) {
    if (PROM_LABEL_NAME.test(name)) continue;
    ctx.warn(
      [...config, "labels"],
      `'${name}' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*): Sloth writes it as it is, which Prometheus before 3.0 refuses (invalid label name); slo's rules write it as '${labelName(name)}'`,
      `rename it to '${labelName(name)}' here, and in the queries and Alertmanager routes that use it`,
      name,
    );
  }
  return { labels };
}
