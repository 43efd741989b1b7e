/**
 * The deploys a search finds, kept in bounded memory: at most
 * MAX_DEPLOYS_FOUND, the newest, handed back oldest first. Each source adds
 * what it finds in any order.
 */

import type { Deploy } from "../../definition/model.js";
import { sourceError } from "../../errors.js";
import { MAX_DEPLOYS_FOUND } from "../../limits.js";

export class FoundDeploys {
  private deploys: Deploy[] = [];
  /** lines (or samples) that matched but carry no version */
  withoutVersion = 0;

  constructor(private readonly max = MAX_DEPLOYS_FOUND) {}

  get count(): number {
    return this.deploys.length;
  }

  add(atMs: number, version: string | undefined): void {
    if (version === undefined || version === "") {
      this.withoutVersion++;
      return;
    }
    this.deploys.push({ atMs, version, origin: "source" });
    // trimmed now and then, not on every add: memory stays within twice the cap
    if (this.deploys.length >= 2 * this.max) this.trim();
  }

  /** Oldest first; of equal times, by version, so every source lists them alike. */
  newestOldestFirst(): Deploy[] {
    this.trim();
    return this.deploys;
  }

  private trim(): void {
    this.deploys.sort(oldestFirst);
    if (this.deploys.length > this.max) this.deploys = this.deploys.slice(-this.max);
  }
}

/** Lines matched, yet none with a version: the field is misnamed, which the user should hear. */
export function noVersionFound(found: FoundDeploys, where: string, version: string): void {
  if (found.count > 0 || found.withoutVersion === 0) return;
  throw sourceError(
    `${where}: ${found.withoutVersion} line${found.withoutVersion === 1 ? "" : "s"} match the query, but none has a field or label '${version}'`,
    "version names the field (after the query's parsers, e.g. | json) or stream label that holds the version",
  );
}

function oldestFirst(a: Deploy, b: Deploy): number {
  if (a.atMs !== b.atMs) return a.atMs - b.atMs;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}
