/**
 * `slo rules [paths] --format prometheus|prometheus-operator|loki`:
 * recording and alerting rules for the same SLOs, for Prometheus (and
 * `promtool check rules`) to evaluate continuously, or for Loki's ruler.
 */

import type { Command } from "commander";
import type { SloSet } from "../definition/model.js";
import { EXIT, SloErrors } from "../errors.js";
import { oneOf } from "../parse-option.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { buildRules, type RulesResult } from "../rules/build.js";
import { correctedSlos, correctionsWarning } from "../rules/corrections.js";
import { buildLokiRules } from "../rules/loki.js";
import { nothingToWrite } from "../rules/no-rules.js";
import { RULE_FORMATS, type RuleFormat, renderRules, rulesHeader } from "../rules/render.js";
import { lokiEventQueries } from "../sources/loki.js";
import { pathsArgument, printWarning, writeOutput } from "./common.js";
import type { CliIo } from "./io.js";

export interface RulesOptions {
  format: string;
  out?: string;
}

export function registerRules(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("rules")
    .description("write recording and alerting rules for the SLOs, for Prometheus or Loki's ruler")
    .addArgument(pathsArgument())
    .option("--format <format>", "prometheus, prometheus-operator or loki", "prometheus")
    .option("--out <file>", "write the rules to a file instead of stdout")
    .action(async (paths: string[], options: RulesOptions) => {
      setExit(await runRules(paths, options, io));
    });
}

export async function runRules(paths: string[], options: RulesOptions, io: CliIo): Promise<number> {
  const format = oneOf("--format", options.format, RULE_FORMATS);
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
  const result = rulesFor(set, format);
  if (result.errors.length > 0) throw new SloErrors(result.errors);
  for (const { slo, reason } of result.skipped) {
    io.stderr.write(`note: no rules for ${slo.service}/${slo.name}: it ${reason}\n`);
  }
  if (result.services.length === 0) {
    const wanted = format === "loki" ? "loki" : "prometheus";
    throw new SloErrors([nothingToWrite(set.files, wanted, result.skipped)]);
  }
  const corrected = correctedSlos(set, result);
  const warning = correctionsWarning(corrected);
  if (warning) io.stderr.write(`${warning}\n`);
  const guessed = classicByDefault(set, result);
  if (guessed.length > 0) {
    io.stderr.write(
      `note: histogram latency without histogramType, written as classic (_bucket, le): ${guessed.join(", ")}; slo rules asks no server, so for a native histogram write histogramType: native\n`,
    );
  }
  const text = renderRules(result.services, format, rulesHeader(set.files, corrected));
  await writeOutput(io, text, options.out, set);
  return EXIT.ok;
}

/** The SLOs given rules whose histogram's kind the file leaves to the server (slo check asks it; rules cannot). */
function classicByDefault(set: SloSet, result: RulesResult): string[] {
  const written = new Set(result.services.map((s) => s.service));
  return set.services
    .filter((service) => written.has(service.service))
    .flatMap((service) => service.slos)
    .filter(
      (slo) =>
        slo.indicator.kind === "latency" &&
        slo.indicator.histogram !== undefined &&
        slo.indicator.histogramType === undefined &&
        !result.skipped.some((s) => s.slo === slo),
    )
    .map((slo) => `${slo.service}/${slo.name}`);
}

/** Loki's rules count with the Loki source's own queries, so the ruler and `slo check` count alike. */
export function rulesFor(set: SloSet, format: RuleFormat): RulesResult {
  return format === "loki" ? buildLokiRules(set, lokiEventQueries) : buildRules(set);
}
