/** The SLO files of a run, or every problem in them at once (exit 2). */

import { DEFAULT_PATHS } from "../defaults.js";
import { loadSpec } from "../definition/load.js";
import type { SloSet } from "../definition/model.js";
import { type SloError, SloErrors } from "../errors.js";

export interface LoadSetOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** told each warning of a set that loads (keys a format ignores), in file order */
  warn?: (warning: SloError) => void;
}

/** No paths means the default folder, as for a command given none. */
export async function loadSetOrThrow(
  paths: readonly string[],
  options: LoadSetOptions = {},
): Promise<SloSet> {
  const { set, errors, warnings } = await loadSpec(
    paths.length > 0 ? [...paths] : DEFAULT_PATHS,
    options,
  );
  if (errors.length > 0) throw new SloErrors(errors);
  for (const warning of warnings) options.warn?.(warning);
  return set;
}
