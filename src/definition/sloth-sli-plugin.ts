/**
 * A Sloth SLI `plugin:` read against slo's table of built-in templates
 * (sloth-plugins.ts): the id must be one slo knows, each option is checked
 * against the plugin's schema, and the queries the template makes must be
 * PromQL. Every problem names the plugin and the option, at file:line:col.
 */

import { isScalar } from "yaml";
import { closest, type DocReader, isJson } from "./doc-reader.js";
import { compileLogQLRegex } from "./logql/regex.js";
import type { RatioIndicator } from "./model.js";
import { checkPromQL } from "./promql.js";
import { rawRatioQueries } from "./ratio-queries.js";
import { promqlParses } from "./rules.js";
import {
  type PluginOption,
  type PluginOptions,
  type PluginQueries,
  SLOTH_SLI_PLUGINS,
  type SliPluginTemplate,
  sliPluginById,
} from "./sloth-plugins.js";
import type { YamlPath } from "./yaml-source.js";

/** Checks a mapping's keys the way the Sloth loader does (unknown ones are warnings). */
export type PluginKeyCheck = (
  r: DocReader,
  path: YamlPath,
  known: readonly string[],
  rules?: { required?: readonly string[] },
) => void;

/** Go's strconv.ParseBool, which the plugins use. */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

export function loadSliPlugin(
  r: DocReader,
  path: YamlPath,
  keys: PluginKeyCheck,
  { source, objectivePercent }: { source: string; objectivePercent: number | undefined },
): RatioIndicator | undefined {
  if (!r.record(path, true)) return undefined;
  keys(r, path, ["id", "options"], { required: ["id"] });
  const id = r.string([...path, "id"], true);
  if (id === undefined) return undefined;
  const plugin = sliPluginById(id);
  if (!plugin) {
    const known = SLOTH_SLI_PLUGINS.map((p) => p.id);
    const near = closest(id, known);
    r.fail(
      [...path, "id"],
      `unknown Sloth SLI plugin '${id}'`,
      `${near ? `did you mean '${near}'? ` : ""}slo knows: ${known.join(", ")}; for another plugin, write its queries out as events: error_query and total_query`,
    );
    return undefined;
  }
  const options = readOptions(r, path, plugin, keys);
  if (!options || objectivePercent === undefined) return undefined;
  const queries = plugin.queries(options, objectivePercent);
  if (!queriesParse(r, path, plugin, queries)) return undefined;
  if (queries.kind === "ratio") {
    const { numerator, total } = rawRatioQueries(queries.errorRatio);
    return { kind: "ratio", source, bad: numerator, total };
  }
  return { kind: "ratio", source, bad: queries.error, total: queries.total };
}

/** Every option of the plugin as text ("" when an optional one is absent); undefined on a problem. */
function readOptions(
  r: DocReader,
  path: YamlPath,
  plugin: SliPluginTemplate,
  keys: PluginKeyCheck,
): PluginOptions | undefined {
  const at = [...path, "options"];
  if (r.has(at) && !r.record(at)) return undefined;
  keys(
    r,
    at,
    plugin.options.map((o) => o.name),
  );
  const out: PluginOptions = {};
  let ok = true;
  for (const option of plugin.options) {
    const value = readOption(r, at, plugin, option);
    if (value === undefined) ok = false;
    else out[option.name] = value;
  }
  return ok ? out : undefined;
}

function readOption(
  r: DocReader,
  at: YamlPath,
  plugin: SliPluginTemplate,
  option: PluginOption,
): string | undefined {
  const p = [...at, option.name];
  const raw = r.value(p);
  const says = `${plugin.id}: option '${option.name}'`;
  if (raw !== null && typeof raw === "object") {
    const got = Array.isArray(raw) ? "a list" : "a mapping";
    r.fail(at, `${says} expects a ${kindName(option)}, got ${got}`, hintOf(option), option.name);
    return undefined;
  }
  const text = raw === undefined || raw === null ? "" : scalarText(r, p, raw).trim();
  if (text === "") {
    if (!option.required) return "";
    // At `options:`, or at the plugin's id when it has none.
    r.fail(
      at.slice(0, -1),
      `${plugin.id}: missing required option '${option.name}' (${option.about})`,
      `add it under options, e.g. ${option.name}: ${exampleOf(option)}`,
      r.has(at) ? "options" : "id",
    );
    return undefined;
  }
  const problem = optionProblem(option, text);
  if (problem !== undefined) {
    r.fail(p, `${says} ${problem}`, hintOf(option));
    return undefined;
  }
  return normalized(option, text);
}

/**
 * The option as Sloth's plugins read it: text. A number is kept as written
 * (`1.0` stays `1.0`: it is matched against a bucket's `le` label).
 */
function scalarText(r: DocReader, path: YamlPath, value: unknown): string {
  if (typeof value === "string") return value;
  let node: unknown = r.ydoc.doc.getIn(path, true);
  if (isScalar(node) && typeof node.source === "string" && node.type === "PLAIN")
    node = node.source;
  return typeof node === "string" ? node : String(value);
}

function hintOf(option: PluginOption): string {
  return `${option.about}, e.g. ${option.name}: ${exampleOf(option)}`;
}

function kindName(option: PluginOption): string {
  return option.kind === "boolean"
    ? "true or false"
    : option.kind === "number"
      ? "number"
      : "string";
}

function exampleOf(option: PluginOption): string {
  if (option.example) return option.example;
  switch (option.kind) {
    case "filter":
      return 'job="api",env="prod"';
    case "number":
      return option.name === "bucket" ? '"0.25"' : '"2"';
    case "boolean":
      return "true";
    case "regexp":
      return '"api.*"';
    default:
      return "checkout";
  }
}

function optionProblem(option: PluginOption, text: string): string | undefined {
  switch (option.kind) {
    case "number":
      return isGoFloat(text) ? undefined : `expects a number, got ${JSON.stringify(text)}`;
    case "boolean":
      return GO_TRUE.has(text) || GO_FALSE.has(text)
        ? undefined
        : `expects true or false, got ${JSON.stringify(text)}`;
    case "regexp":
      return regexpProblem(text);
    case "filter":
      return checkPromQL(`x{${trimFilter(text)}}`).ok
        ? undefined
        : `is not a list of label matchers: ${JSON.stringify(text)}`;
    default:
      return undefined;
  }
}

/** Go's regexp, which the plugins compile the option with (and Prometheus the matcher). */
function regexpProblem(text: string): string | undefined {
  try {
    compileLogQLRegex(text, true);
    return undefined;
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
}

function isGoFloat(text: string): boolean {
  return /^[+-]?(inf|infinity|nan)$/i.test(text) || Number.isFinite(Number(text));
}

/** Sloth trims braces and commas off a filter's ends: `{job="x"}` and `job="x",` are the same. */
function trimFilter(text: string): string {
  return text.replace(/^[{},]+|[{},]+$/g, "");
}

function normalized(option: PluginOption, text: string): string {
  if (option.kind === "filter") return trimFilter(text);
  if (option.kind === "boolean") return GO_TRUE.has(text) ? "true" : "false";
  return text;
}

/** A value that checks alone can still break the query (a quote in a name): said at the options. */
function queriesParse(
  r: DocReader,
  path: YamlPath,
  plugin: SliPluginTemplate,
  queries: PluginQueries,
): boolean {
  const texts = queries.kind === "ratio" ? [queries.errorRatio] : [queries.error, queries.total];
  for (const text of texts) {
    const problem = promqlParses(text);
    if (problem === undefined) continue;
    const one = Array.isArray(problem) ? problem[0]! : problem;
    r.fail(
      isJson(r.value([...path, "options"])) ? [...path, "options"] : path,
      `${plugin.id}: these options make a query that is not PromQL (${one.message}): ${text}`,
      "check the options' quotes and characters",
    );
    return false;
  }
  return true;
}
