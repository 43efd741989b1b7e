/**
 * A native file's `deploys:`: which of the service's sources its deploys
 * show up in, and how. Lines of a logs or loki source (a LogQL log query and
 * the field holding the version), or a prometheus series whose version label
 * changes at a deploy. Mapped into the model's DeploySpec; the named rules
 * below say what does not fit, at the field it is about.
 */

import type { DeploySpec, SourceSpec } from "./model.js";
import { isSelector, PROM_LABEL_NAME } from "./promql.js";
import {
  checkAll,
  checkInOrder,
  logqlParses,
  lokiFieldIsLabel,
  type Problem,
  promqlParses,
  type Reporter,
  type Rule,
} from "./rules.js";
import type { SloFile } from "./schema.js";
import type { YamlPath } from "./yaml-source.js";

export type DeploysFields = NonNullable<SloFile["deploys"]>;

/** The fields and the type of the source they name. */
interface DeploysOn {
  deploys: DeploysFields;
  type: SourceSpec["type"];
  /** logs: the paths it reads */
  paths?: string[] | undefined;
}

/**
 * The DeploySpec of `raw` on `source` (already resolved: undefined when the
 * name is not a source, which the caller reported); undefined on any problem.
 */
export function readDeploys(
  reporter: Reporter,
  path: YamlPath,
  raw: DeploysFields,
  source: SourceSpec | undefined,
  at: DeploySpec["at"],
): DeploySpec | undefined {
  if (!source) return undefined;
  if (source.type === "unsupported") {
    reporter.fail(
      [...path, "source"],
      `source '${source.name}' is of type ${source.sourceType}, which slo cannot query for deploys`,
      "name a Prometheus, Loki or logs source",
    );
    return undefined;
  }
  const fields: DeploysOn = {
    deploys: raw,
    type: source.type,
    paths: source.type === "logs" ? source.paths : undefined,
  };
  // every field given is checked, so slo validate shows every problem at once
  if (source.type === "prometheus") {
    const fit = checkAll(
      reporter,
      path,
      fields,
      seriesAndLabelOnPrometheus,
      noLogFieldsOnPrometheus,
    );
    const seriesOk = raw.series === undefined || checkSeries(reporter, path, raw.series);
    const labelOk =
      raw.versionLabel === undefined ||
      checkAll(reporter, [...path, "versionLabel"], raw.versionLabel, promLabelName);
    if (!fit || !seriesOk || !labelOk) return undefined;
    return {
      kind: "version-label",
      source: raw.source,
      series: raw.series!,
      versionLabel: raw.versionLabel!,
      at,
    };
  }
  const fit = checkAll(
    reporter,
    path,
    fields,
    queryAndVersionOnLogs,
    noSeriesFieldsOnLogs,
    notFromStdin,
  );
  const queryOk =
    raw.query === undefined ||
    checkAll(reporter, [...path, "query"], raw.query, deployQueryParses(source.type));
  const versionOk =
    raw.version === undefined ||
    checkAll(reporter, [...path, "version"], raw.version, lokiFieldIsLabel(source.type));
  if (!fit || !queryOk || !versionOk) return undefined;
  return { kind: "log-lines", source: raw.source, query: raw.query!, version: raw.version!, at };
}

function checkSeries(reporter: Reporter, path: YamlPath, series: string): boolean {
  return checkInOrder(reporter, [...path, "series"], series, promqlParses, seriesIsSelector);
}

const LOG_EXAMPLE = `query: '{app="ctrl"} | json | msg = "deploy-finished"' and version: version`;
const SERIES_EXAMPLE = `series: build_info{job="ctrl"} and versionLabel: version`;

const queryAndVersionOnLogs: Rule<DeploysOn> = ({ deploys, type }) => {
  const missing = [
    deploys.query === undefined ? "query: <a LogQL log query>" : undefined,
    deploys.version === undefined ? "version: <the field holding the version>" : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length === 0) return undefined;
  return {
    message: `deploys on a ${type} source need ${missing.join(" and ")}`,
    hint: `the lines the query selects are the deploys, e.g. ${LOG_EXAMPLE}`,
  };
};

/** Standard input can be read once, and the counts read it: the deploys would find nothing. */
const notFromStdin: Rule<DeploysOn> = ({ paths }) => {
  if (!paths?.includes("-")) return undefined;
  return {
    key: "source",
    message:
      "deploys cannot be read from a logs source that reads standard input (-): its lines are read once, for the counts",
    hint: "read the logs from files, or give the deploys with --deploy VERSION@TIME",
  };
};

const seriesAndLabelOnPrometheus: Rule<DeploysOn> = ({ deploys }) => {
  if (deploys.series !== undefined && deploys.versionLabel !== undefined) return undefined;
  return {
    message:
      "deploys on a prometheus source need series: <a series selector> and versionLabel: <the label holding the version>",
    hint: `a deploy is the first instant the label has a new value, e.g. ${SERIES_EXAMPLE}`,
  };
};

const noSeriesFieldsOnLogs: Rule<DeploysOn> = ({ deploys, type }) => {
  const problems: Problem[] = [];
  if (deploys.series !== undefined) {
    problems.push({
      key: "series",
      message: `series is for a prometheus source; on a ${type} source write query: <a LogQL log query>`,
      hint: `e.g. ${LOG_EXAMPLE}`,
    });
  }
  if (deploys.versionLabel !== undefined) {
    problems.push({
      key: "versionLabel",
      message: `versionLabel is for a prometheus source; on a ${type} source write version: <the field or stream label holding the version>`,
      hint: `e.g. ${LOG_EXAMPLE}`,
    });
  }
  return problems;
};

const noLogFieldsOnPrometheus: Rule<DeploysOn> = ({ deploys }) => {
  const problems: Problem[] = [];
  if (deploys.query !== undefined) {
    problems.push({
      key: "query",
      message:
        "query is for a logs or loki source; on a prometheus source write series: <a series selector>",
      hint: `e.g. ${SERIES_EXAMPLE}`,
    });
  }
  if (deploys.version !== undefined) {
    problems.push({
      key: "version",
      message:
        "version is for a logs or loki source; on a prometheus source write versionLabel: <the label holding the version>",
      hint: `e.g. ${SERIES_EXAMPLE}`,
    });
  }
  return problems;
};

/** The query parses as the indicators' do, and is a log query: the lines it selects are deploys. */
function deployQueryParses(type: "logs" | "loki"): Rule<string> {
  const parses = logqlParses(type);
  return (text) => {
    const found = parses(text);
    if (found === undefined || Array.isArray(found)) return found;
    return {
      ...found,
      hint:
        found.hint ??
        `deploys take a log query: the lines it selects are the deploys, e.g. {app="ctrl"} | json | msg = "deploy-finished"`,
    };
  };
}

const seriesIsSelector: Rule<string> = (text) =>
  isSelector(text)
    ? undefined
    : {
        message:
          "PromQL: series takes a series selector, name{labels}, not a query: slo reads the version label of each series it selects",
        hint: 'e.g. build_info{job="ctrl"}',
      };

const promLabelName: Rule<string> = (label) =>
  PROM_LABEL_NAME.test(label)
    ? undefined
    : {
        message: `'${label}' is not a Prometheus label name (letters, digits and _, not starting with a digit)`,
      };
