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
 *
 * Every name is also made an OpenSLO name, the RFC 1123 label the spec and
 * its Go SDK require (1 to 63 of a-z, 0-9 and '-', alphanumeric at both
 * ends): lowercased, any other run of characters a '-', cut to 63. An SLO or
 * a Service so renamed keeps its own name in `slo/name`.
 */

import { OPENSLO_MAX_NAME_CHARS } from "../../limits.js";
import type { ServiceSpec, SloSpec } from "../model.js";

/** `text` as an RFC 1123 label of at most `max` characters. */
function label(text: string, max: number): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return (cleaned || "x").slice(0, max).replace(/-+$/, "");
}

/** A name as OpenSLO takes it: an RFC 1123 label; a name that is one already stays as it is. */
export function openSloName(text: string): string {
  return label(text, OPENSLO_MAX_NAME_CHARS);
}

/** The names of one kind of object, handed out so none is given twice. */
export class NameRegistry {
  readonly #taken = new Map<string, Set<string>>();

  /** `wanted` as an OpenSLO name, or the first of `wanted-2`, `wanted-3`... that no object of `kind` has yet. */
  claim(kind: string, wanted: string): string {
    const taken = this.#taken.get(kind) ?? new Set<string>();
    this.#taken.set(kind, taken);
    let name = openSloName(wanted);
    for (let n = 2; taken.has(name); n++) {
      const suffix = `-${n}`;
      name = `${label(wanted, OPENSLO_MAX_NAME_CHARS - suffix.length)}${suffix}`;
    }
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
  /** the Service's metadata.name, which its SLOs' spec.service names */
  service(service: ServiceSpec): string;
  /** any other object's name (SLI, AlertPolicy, AlertCondition, AlertNotificationTarget), made unique per kind */
  other(kind: string, wanted: string): string;
  /** a routed target's document name, under which its label's value reads back */
  routeTarget(name: string): string;
  /** true the first time only: the routed target's one document is to be written now */
  writeRouteTarget(name: string): boolean;
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
        if ((openSloName(wanted) === slo.name) === keptAsWritten)
          sloNames.set(slo, registry.claim("SLO", wanted));
      }
      for (const source of Object.keys(service.sources)) {
        const wanted = prefixedWhenShared(sourceUsers, service, source);
        if ((openSloName(wanted) === source) === keptAsWritten)
          sourceNames.set(sourceKey(service, source), registry.claim("DataSource", wanted));
      }
    }
  };
  // Services of one name are one Service; two names that read alike (Payments, payments) are two.
  const serviceNames = new Map<string, string>();
  const serviceNamesInOrder = [...new Set(services.map((s) => s.service))];
  for (const keptAsWritten of [true, false]) {
    for (const service of serviceNamesInOrder) {
      if ((openSloName(service) === service) === keptAsWritten)
        serviceNames.set(service, registry.claim("Service", service));
    }
  }
  claimAll(true);
  claimAll(false);
  // Routed targets are named in the alerts' labels: one document each, under the name as written.
  const routeNames = new Map<string, string>();
  for (const service of services)
    for (const slo of service.slos)
      for (const route of slo.routes ?? [])
        if (!routeNames.has(route.name))
          routeNames.set(route.name, registry.claim("AlertNotificationTarget", route.name));
  const routesWritten = new Set<string>();
  return {
    dataSource: (service, source) => sourceNames.get(sourceKey(service, source)) ?? source,
    slo: (slo) => sloNames.get(slo) ?? slo.name,
    service: (service) => serviceNames.get(service.service) ?? service.service,
    other: (kind, wanted) => registry.claim(kind, wanted),
    routeTarget: (name) => routeNames.get(name) ?? openSloName(name),
    writeRouteTarget: (name) => {
      const first = !routesWritten.has(name);
      routesWritten.add(name);
      return first;
    },
    serviceWrittenBy: (service) => {
      const first = firstOfService.get(service.service) ?? service;
      firstOfService.set(service.service, first);
      return first;
    },
  };
}
