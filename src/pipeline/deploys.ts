/**
 * Each service's deploys, from the most explicit origin that has any:
 * `--deploy` on the command line, else GitHub's deployments of the
 * environment asked for, else the service's own `deploys:` read from its
 * source. One origin per service, so a deploy seen in both the logs and
 * GitHub is never counted twice.
 */

import type { Deploy, ServiceSpec, SourceSpec } from "../definition/model.js";
import { SloError, toSloError } from "../errors.js";
import { createSource, type SourceOptions } from "../sources/index.js";
import type { Source } from "../sources/types.js";

export interface DeployOrigins {
  /** --deploy VERSION@TIME: replaces every other origin, for every service */
  given?: Deploy[] | undefined;
  /** GitHub's deployments of an environment: replace the files' deploys: */
  github?: Deploy[] | undefined;
}

export interface FindOptions {
  /** (sinceMs, untilMs]: the oldest window start any of the service's SLOs needs, and now */
  sinceMs: number;
  untilMs: number;
  sourceFactory?: ((spec: SourceSpec) => Source | Promise<Source>) | undefined;
  sourceOptions?: SourceOptions | undefined;
}

/** The service's deploys, oldest first; an error when its `deploys:` source cannot be read. */
export async function deploysOfService(
  service: ServiceSpec,
  origins: DeployOrigins,
  options: FindOptions,
): Promise<Deploy[] | SloError> {
  const inRange = (d: Deploy) => d.atMs > options.sinceMs && d.atMs <= options.untilMs;
  // given ones are kept whatever their time: each SLO says which it could not list
  if (origins.given && origins.given.length > 0) return sorted(origins.given);
  if (origins.github && origins.github.length > 0) return sorted(origins.github.filter(inRange));
  const spec = service.deploys;
  if (!spec) return [];
  const sourceSpec = service.sources[spec.source];
  if (!sourceSpec)
    return new SloError({
      code: "internal",
      message: `deploys: source ${spec.source} vanished after validation`,
    });
  try {
    const source = options.sourceFactory
      ? await options.sourceFactory(sourceSpec)
      : await createSource(sourceSpec, options.sourceOptions);
    if (!source.findDeploys)
      throw new SloError({
        code: "internal",
        message: `source ${sourceSpec.name} (${sourceSpec.type}) cannot find deploys`,
      });
    const found = await source.findDeploys(spec, {
      startMs: options.sinceMs,
      endMs: options.untilMs,
    });
    return sorted(found.filter(inRange));
  } catch (error) {
    return toSloError(error);
  }
}

function sorted(deploys: Deploy[]): Deploy[] {
  return [...deploys].sort((a, b) => a.atMs - b.atMs);
}
