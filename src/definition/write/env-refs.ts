/**
 * `slo convert` must write `${PROM_TOKEN}`, never the token. The files are
 * loaded with a stand-in environment whose every variable expands to a
 * marker naming it; the writer turns each marker back into the reference,
 * with the default the files gave it. No secret ever enters the model, and
 * converting needs none of the variables to be set.
 */

import { specError } from "../../errors.js";
import { expandString } from "../env.js";

/**
 * Two marker shapes: one that passes as a URL (for `url:` fields), one that
 * passes as a PromQL or LogQL identifier (for queries, and any other text).
 */
export const MARKERS = {
  url: (name: string) => `http://slo-env-${name}.invalid`,
  identifier: (name: string) => `slo_env_${name}_end`,
} as const;

const MARKER =
  /http:\/\/slo-env-([A-Za-z_][A-Za-z0-9_]*)\.invalid|slo_env_([A-Za-z_][A-Za-z0-9_]*?)_end/g;
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type MarkerShape = keyof typeof MARKERS;

export function markerEnv(
  shapeOf: (name: string) => MarkerShape,
): Record<string, string | undefined> {
  return new Proxy(
    {},
    {
      get: (_, name) => (typeof name === "string" ? MARKERS[shapeOf(name)](name) : undefined),
      has: () => true,
    },
  );
}

/**
 * The marker each variable needs, from where the files use it: right after
 * `url:` a URL, anywhere else an identifier (inside queries, tokens, paths).
 */
export function markerShapes(texts: string[]): (name: string) => MarkerShape {
  const urls = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(REFERENCE)) {
      if (m[0] === "$${") continue;
      const lineStart = text.lastIndexOf("\n", m.index) + 1;
      const before = text.slice(lineStart, m.index);
      if (/(^|[\s{,])url\s*:\s*["']?$/.test(before)) urls.add(m[1]!);
    }
  }
  return (name) => (urls.has(name) ? "url" : "identifier");
}

/** Each variable's default (`${X:-default}`) as the files write it; undefined: none. */
export type EnvDefaults = Map<string, string | undefined>;

/**
 * The defaults of every reference in the texts. One variable with two
 * different defaults (or with and without one) cannot be written back as
 * one reference: that is an error naming it.
 */
export function collectDefaults(texts: { file: string; text: string }[]): EnvDefaults {
  const defaults: EnvDefaults = new Map();
  const seenIn = new Map<string, string>();
  for (const { file, text } of texts) {
    for (const m of text.matchAll(REFERENCE)) {
      if (m[0] === "$${") continue;
      const name = m[1]!;
      const fallback = m[2];
      if (defaults.has(name) && defaults.get(name) !== fallback) {
        const show = (d: string | undefined) =>
          d === undefined ? `\${${name}}` : `\${${name}:-${d}}`;
        throw specError(
          `cannot convert: ${show(defaults.get(name))} (${seenIn.get(name)}) and ${show(fallback)} (${file}) give the variable ${name} different defaults`,
          { file },
          "give it the same default everywhere, or use two variables",
        );
      }
      defaults.set(name, fallback);
      seenIn.set(name, file);
    }
  }
  return defaults;
}

/**
 * What the loader kept as written (never read, so never expanded: an
 * unsupported DataSource's connectionDetails) in the form restoreEnvRefs
 * turns back into that same text: references as markers, `$${` as `${`.
 */
export function keptAsWritten(text: string): string {
  return expandString(
    text,
    markerEnv(() => "identifier"),
  ).value;
}

/** A model string as the written file must say it: markers back to references, `${` escaped. */
export function restoreEnvRefs(text: string, defaults: EnvDefaults): string {
  return text
    .replace(/\$\{/g, () => "$${")
    .replace(MARKER, (_, a?: string, b?: string) => {
      const name = (a ?? b)!;
      const fallback = defaults.get(name);
      return fallback === undefined ? `\${${name}}` : `\${${name}:-${fallback}}`;
    });
}
