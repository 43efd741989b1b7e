/**
 * OpenSLO names are global per kind across the files loaded together; slo's
 * are not: an SLO's name is unique within its service, a source's within its
 * file. The names of one conversion are planned here, once for all services,
 * so two services' `availability` SLOs (or `prom` sources) become distinct
 * documents that load together. The rule, deterministic in the order of the
 * services: a name that more than one service uses is prefixed with the
 * service (`api-availability`); a name still taken after that (by another
 * object of the same kind) gets the first free `-2`, `-3`... Names no other
 * service uses are kept as written.
 */

import type { ServiceSpec, SloSpec } from "../model.js";

/** The names of one kind of object, handed out so none is given twice. */
export class NameRegistry {
  readonly #taken = new Map<string, Set<string>>();

  /** `wanted`, or the first of `wanted-2`, `wanted-3`... that no object of `kind` has yet. */
  claim(kind: string, wanted: string): string {
    const taken = this.#taken.get(kind) ?? new Set<string>();
    this.#taken.set(kind, taken);
    let name = wanted;
    for (let n = 2; taken.has(name); n++) name = `${wanted}-${n}`;
    taken.add(name);
    return name;
  }
}

/** How many services use each name, per kind of name. */
function usersOf(names: Iterable<readonly [ServiceSpec, string]>): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  for (const [service, name] of names) {
    users.set(name, (users.get(name) ?? new Set()).add(service.service));
  }
  return users;
}

/** The name a conversion gives: prefixed with the service when several services use it. */
function prefixedWhenShared(users: Map<string, Set<string>>, service: ServiceSpec, name: string) {
  return (users.get(name)?.size ?? 0) > 1 ? `${service.service}-${name}` : name;
}

export interface OpenSloNames {
  /** the DataSource name for a service's source */
  dataSource(service: ServiceSpec, source: string): string;
  /** the SLO's metadata.name */
  slo(slo: SloSpec): string;
  /** any other object's name (SLI, AlertPolicy, AlertCondition, AlertNotificationTarget), made unique per kind */
  other(kind: string, wanted: string): string;
  /** the first ServiceSpec of the service's name, whose Service document stands for every file of it */
  serviceWrittenBy(service: ServiceSpec): ServiceSpec;
}

/**
 * Every SLO's and DataSource's name for a whole conversion, planned up front
 * (in the order of the services, then of their SLOs and sources); the names
 * kept as written are claimed first, so a prefixed name gives way to them.
 */
export function planOpenSloNames(services: ServiceSpec[]): OpenSloNames {
  const registry = new NameRegistry();
  const sloUsers = usersOf(services.flatMap((s) => s.slos.map((slo) => [s, slo.name] as const)));
  const sourceUsers = usersOf(
    services.flatMap((s) => Object.keys(s.sources).map((n) => [s, n] as const)),
  );
  const sloNames = new Map<SloSpec, string>();
  const firstOfService = new Map<string, ServiceSpec>();
  const sourceNames = new Map<string, string>();
  const sourceKey = (service: ServiceSpec, source: string) =>
    `${services.indexOf(service)}\u0000${source}`;
  const claimAll = (keptAsWritten: boolean) => {
    for (const service of services) {
      for (const slo of service.slos) {
        const wanted = prefixedWhenShared(sloUsers, service, slo.name);
        if ((wanted === slo.name) === keptAsWritten)
          sloNames.set(slo, registry.claim("SLO", wanted));
      }
      for (const source of Object.keys(service.sources)) {
        const wanted = prefixedWhenShared(sourceUsers, service, source);
        if ((wanted === source) === keptAsWritten)
          sourceNames.set(sourceKey(service, source), registry.claim("DataSource", wanted));
      }
    }
  };
  claimAll(true);
  claimAll(false);
  return {
    dataSource: (service, source) => sourceNames.get(sourceKey(service, source)) ?? source,
    slo: (slo) => sloNames.get(slo) ?? slo.name,
    other: (kind, wanted) => registry.claim(kind, wanted),
    serviceWrittenBy: (service) => {
      const first = firstOfService.get(service.service) ?? service;
      firstOfService.set(service.service, first);
      return first;
    },
  };
}
