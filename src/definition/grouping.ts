/**
 * `groupBy`, `groupLimit` and `gate.per` of a native file: one SLO
 * definition evaluated as one SLO per value of some labels (Prometheus,
 * Loki) or fields (logs). Read into the model's GroupingSpec, with the
 * rules that keep a grouping countable.
 */

import { labelName } from "../conventions.js";
import { DEFAULT_GROUP_LIMIT } from "../defaults.js";
import { MAX_GROUP_LIMIT } from "../limits.js";
import type { BudgetingMethod, GroupingSpec, Indicator, SourceSpec } from "./model.js";
import { PROM_LABEL_NAME } from "./promql.js";
import { checkAll, checkInOrder, type Problem, type Reporter, type Rule } from "./rules.js";
import type { YamlPath } from "./yaml-source.js";

/** What the grouping of one SLO is read from: its own fields, and what it counts. */
export interface GroupingFields {
  groupBy: string | string[] | undefined;
  groupLimit: number | undefined;
  per: "group" | "whole" | undefined;
  budgetingMethod: BudgetingMethod;
  /** the SLO's indicator and its source, when they could be read */
  indicator: Indicator | undefined;
  source: SourceSpec | undefined;
}

const SERVER_NAME: Record<string, string> = { prometheus: "Prometheus", loki: "Loki" };

/** The SLO's grouping (undefined without groupBy); problems go to the reporter under `path`, the SLO's. */
export function readGrouping(
  reporter: Reporter,
  path: YamlPath,
  fields: GroupingFields,
): GroupingSpec | undefined {
  if (fields.groupBy === undefined) {
    checkAll(reporter, path, fields, optionsNeedGroupBy);
    return undefined;
  }
  const by = typeof fields.groupBy === "string" ? [fields.groupBy] : fields.groupBy;
  const at = [...path, "groupBy"];
  const namesOk = checkInOrder(
    reporter,
    at,
    { by, listed: Array.isArray(fields.groupBy) },
    notEmpty,
    namedOnce,
    labelNames(fields.source?.type),
  );
  const countable = checkAll(reporter, at, fields, notSampled, notTimeslices);
  const limit = fields.groupLimit ?? DEFAULT_GROUP_LIMIT;
  const limitOk = checkAll(reporter, [...path, "groupLimit"], limit, limitInRange);
  return namesOk && countable && limitOk ? { by, limit } : undefined;
}

interface NamedLabels {
  by: string[];
  /** written as a list: problems point at the item */
  listed: boolean;
}

const optionsNeedGroupBy: Rule<GroupingFields> = ({ groupLimit, per }) => {
  const problems: Problem[] = [];
  if (groupLimit !== undefined)
    problems.push({
      message: "groupLimit without groupBy: there are no groups to limit",
      hint: "add groupBy: <label or field>, or remove groupLimit",
      key: "groupLimit",
    });
  if (per !== undefined)
    problems.push({
      message: "gate.per without groupBy: an SLO without groups is gated as a whole",
      hint: "add groupBy: <label or field>, or remove per",
      at: ["gate"],
      key: "per",
    });
  return problems;
};

const notEmpty: Rule<NamedLabels> = ({ by }) =>
  by.length === 0
    ? {
        message: "groupBy: an empty list; name at least one label or field",
        hint: "groupBy: action, or groupBy: [action, region]",
      }
    : undefined;

const namedOnce: Rule<NamedLabels> = ({ by, listed }) => {
  const problems: Problem[] = [];
  for (let i = 0; i < by.length; i++) {
    if (by.indexOf(by[i]!) !== i)
      problems.push({
        message: `groupBy: '${by[i]}' is named twice`,
        ...(listed ? { at: [i] } : {}),
      });
  }
  return problems;
};

/** On Prometheus and Loki a group is a label: its name must be one the server can write. */
function labelNames(sourceType: string | undefined): Rule<NamedLabels> {
  const server = sourceType === undefined ? undefined : SERVER_NAME[sourceType];
  return ({ by, listed }) => {
    if (server === undefined) return undefined;
    const problems: Problem[] = [];
    for (let i = 0; i < by.length; i++) {
      const name = by[i]!;
      if (!PROM_LABEL_NAME.test(name))
        problems.push({
          message: `groupBy: '${name}' is not a ${server} label name (letters, digits and _, not starting with a digit)`,
          hint: `on a ${sourceType} source each group is a label's value: write ${labelName(name)}`,
          ...(listed ? { at: [i] } : {}),
        });
    }
    return problems;
  };
}

/** A sampled value is judged sample by sample of one series: there is no count to split. */
const notSampled: Rule<GroupingFields> = ({ indicator }) =>
  indicator?.kind === "sampled"
    ? {
        message: "groupBy: a sampled value cannot be grouped",
        hint: "define one SLO per series instead, each query selecting its own",
      }
    : undefined;

/**
 * Timeslices are refused: each group would hold a slice per slice length of
 * the window (a 30-day window of 1-minute slices is 43,200 per group).
 */
const notTimeslices: Rule<GroupingFields> = ({ budgetingMethod }) =>
  budgetingMethod === "occurrences"
    ? undefined
    : {
        message: `groupBy: timeslice budgeting cannot be grouped (budgetingMethod: ${budgetingMethod})`,
        hint: "group an occurrences SLO, or define one timeslice SLO per value",
      };

const limitInRange: Rule<number> = (limit) => {
  if (limit < 1) return { message: `groupLimit: ${limit} is below 1; at least one group is kept` };
  if (limit > MAX_GROUP_LIMIT)
    return {
      message: `groupLimit: ${limit} is over ${MAX_GROUP_LIMIT}, the most groups slo evaluates for one SLO`,
      hint: "group by a label with fewer values, or keep the largest and let the rest be (other)",
    };
  return undefined;
};
