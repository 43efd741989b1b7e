/**
 * The SLI plugins of sloth-common-sli-plugins that are plain PromQL
 * templates, built in: a Sloth spec names one by id with its options, and
 * slo writes the queries the plugin would have written, from each plugin's
 * documented PromQL. A plugin that divides errors by a total becomes an
 * events SLI (its error and total queries, counted with `increase`, which is
 * what Sloth's rate over the same window is in events); a plugin that gives
 * only a ratio (`fake`) is weighed by time, as a raw SLI is.
 *
 * The plugins guard their ratio against no traffic (`> 0`, `or on() vector(0)`);
 * slo needs no guard: a window without events has no SLI of its own.
 */

import { WINDOW } from "./ratio-queries.js";

export type PluginOptionKind =
  /** label matchers, `job="x",env="prod"`, braces allowed */
  | "filter"
  /** a number, written as the label value it matches (`le="0.25"`) */
  | "number"
  | "regexp"
  | "boolean"
  | "string";

export interface PluginOption {
  name: string;
  kind: PluginOptionKind;
  required: boolean;
  /** for the docs and the error that names a missing one */
  about: string;
  /** shown in hints; by kind when absent */
  example?: string;
}

/** Options as text, the way Sloth hands them to a plugin; an absent optional one is "". */
export type PluginOptions = Record<string, string>;

export type PluginQueries =
  | { kind: "events"; error: string; total: string }
  | { kind: "ratio"; errorRatio: string };

export interface SliPluginTemplate {
  id: string;
  options: readonly PluginOption[];
  /** the SLO's objective in percent: `fake` burns a multiple of its budget */
  queries(options: PluginOptions, objectivePercent: number): PluginQueries;
}

const FILTER: PluginOption = {
  name: "filter",
  kind: "filter",
  required: false,
  about: "label matchers added to every selector of the plugin's queries",
};
const REQUIRED_FILTER: PluginOption = { ...FILTER, required: true };
const BUCKET: PluginOption = {
  name: "bucket",
  kind: "number",
  required: true,
  about: "the histogram bucket (le) a good event falls in",
};
const EXCLUDE_ERRORS: PluginOption = {
  name: "exclude_errors",
  kind: "boolean",
  required: false,
  about: 'leave 5xx responses out of the latency SLI (code!~"5..")',
};

function option(
  name: string,
  kind: PluginOptionKind,
  about: string,
  { required = true, example }: { required?: boolean; example?: string } = {},
): PluginOption {
  return { name, kind, required, about, ...(example ? { example } : {}) };
}

const SERVICE = option(
  "service",
  "string",
  "the destination_service_name of the service measured",
  {
    example: "checkout",
  },
);
const NAMESPACE = option(
  "namespace",
  "string",
  "the destination_service_namespace of the service measured",
  { example: "shop" },
);
const CONTROLLER = option("controller", "string", "the controller's name", {
  example: "ingress-controller",
});

/** `metric{filter,matchers}`; the filter as Sloth reads it, without its braces. */
function selector(metric: string, filter: string, ...matchers: string[]): string {
  const all = [filter, ...matchers].filter((m) => m !== "");
  return all.length > 0 ? `${metric}{${all.join(",")}}` : metric;
}

function counted(sel: string): string {
  return `sum(increase(${sel}[${WINDOW}]))`;
}

/** Errors and total of one counter, the errors picked by a matcher. */
function availability(metric: string, errorMatcher: string, ...matchers: string[]) {
  return (filter: string): PluginQueries => ({
    kind: "events",
    error: counted(selector(metric, filter, ...matchers, errorMatcher)),
    total: counted(selector(metric, filter, ...matchers)),
  });
}

/** A histogram: the events above `bucket` are the errors. */
function latency(histogram: string, filter: string, bucket: string, ...matchers: string[]) {
  const count = counted(selector(`${histogram}_count`, filter, ...matchers));
  const le = matchers.length > 0 ? [`le="${bucket}"`, ...matchers] : [`le="${bucket}"`];
  return {
    kind: "events" as const,
    error: `${count} - ${counted(selector(`${histogram}_bucket`, filter, ...le))}`,
    total: count,
  };
}

/** Sloth's plugins put exclude_errors' matcher after the user's filter. */
function withoutErrors(filter: string, excludeErrors: string): string {
  if (excludeErrors !== "true") return filter;
  return [filter, 'code!~"5.."'].filter((m) => m !== "").join(",");
}

/** Ordered by id, as the docs list them. */
export const SLOTH_SLI_PLUGINS: readonly SliPluginTemplate[] = [
  {
    id: "sloth-common/coredns/availability",
    options: [
      FILTER,
      option(
        "custom_rcode_regex",
        "regexp",
        "the response codes that are errors (default SERVFAIL)",
        { required: false },
      ),
    ],
    queries: (o) =>
      availability(
        "coredns_dns_responses_total",
        `rcode=~"${o.custom_rcode_regex || "SERVFAIL"}"`,
      )(o.filter!),
  },
  {
    id: "sloth-common/coredns/latency",
    options: [BUCKET, FILTER],
    queries: (o) => latency("coredns_dns_request_duration_seconds", o.filter!, o.bucket!),
  },
  {
    id: "sloth-common/fake",
    options: [
      option("burn_rate", "number", "how many times the error budget's rate the SLI burns"),
      option("jitter_percent", "number", "a jitter of up to this percent of the burn", {
        required: false,
      }),
    ],
    queries: (o, objectivePercent) => fakeRatio(o, objectivePercent),
  },
  {
    id: "sloth-common/haproxy/frontend/availability",
    options: [FILTER],
    queries: (o) => availability("haproxy_frontend_http_responses_total", 'code="5xx"')(o.filter!),
  },
  {
    id: "sloth-common/istio/v1/availability",
    options: [SERVICE, NAMESPACE, FILTER],
    queries: (o) =>
      availability(
        "istio_requests_total",
        'response_code=~"(5..|429)"',
        `destination_service_name="${o.service}"`,
        `destination_service_namespace="${o.namespace}"`,
      )(o.filter!),
  },
  {
    id: "sloth-common/istio/v1/latency",
    options: [BUCKET, SERVICE, NAMESPACE, FILTER, EXCLUDE_ERRORS],
    queries: (o) =>
      latency(
        "istio_request_duration_milliseconds",
        withoutErrors(o.filter!, o.exclude_errors!),
        o.bucket!,
        `destination_service_name="${o.service}"`,
        `destination_service_namespace="${o.namespace}"`,
      ),
  },
  {
    id: "sloth-common/kubernetes/apiserver/availability",
    options: [FILTER],
    queries: (o) => availability("apiserver_request_total", 'code=~"(5..|429)"')(o.filter!),
  },
  {
    id: "sloth-common/kubernetes/apiserver/latency",
    options: [BUCKET, FILTER],
    queries: (o) =>
      latency("apiserver_request_duration_seconds", o.filter!, o.bucket!, 'verb!="WATCH"'),
  },
  {
    id: "sloth-common/kubernetes/kooper/availability",
    options: [CONTROLLER, FILTER],
    queries: (o) => {
      const controller = `controller="${o.controller}"`;
      const processed = selector(
        "kooper_controller_processed_event_duration_seconds_count",
        o.filter!,
        controller,
      );
      const requeued = selector(
        "kooper_controller_queued_events_total",
        o.filter!,
        controller,
        'requeue="true"',
      );
      return {
        kind: "events",
        error: counted(
          selector(
            "kooper_controller_processed_event_duration_seconds_count",
            o.filter!,
            controller,
            'success="false"',
          ),
        ),
        // Requeued events are retries of the same object, not more objects.
        total: `${counted(processed)} - ${counted(requeued)}`,
      };
    },
  },
  {
    id: "sloth-common/kubernetes/kooper/latency",
    options: [BUCKET, CONTROLLER, FILTER],
    queries: (o) =>
      latency(
        "kooper_controller_processed_event_duration_seconds",
        o.filter!,
        o.bucket!,
        `controller="${o.controller}"`,
      ),
  },
  {
    id: "sloth-common/kubernetes/nginx-ingress/availability",
    options: [FILTER],
    queries: (o) =>
      availability("nginx_ingress_controller_requests", 'status=~"(5..|429)"')(o.filter!),
  },
  {
    id: "sloth-common/linkerd/v2/availability",
    options: [REQUIRED_FILTER],
    queries: (o) =>
      availability("response_total", 'classification="failure"', 'direction="inbound"')(o.filter!),
  },
  {
    id: "sloth-common/prometheus/rules/eval-availability",
    options: [FILTER],
    queries: (o) => ({
      kind: "events",
      error: counted(selector("prometheus_rule_evaluation_failures_total", o.filter!)),
      total: counted(selector("prometheus_rule_evaluations_total", o.filter!)),
    }),
  },
  {
    id: "sloth-common/prometheus/targets/availability",
    options: [FILTER],
    // Scrapes, not requests: each evaluation step a target is down is one bad event.
    queries: (o) => ({
      kind: "events",
      error: `sum(count_over_time((${selector("up", o.filter!)} == 0)[${WINDOW}:]))`,
      total: `sum(count_over_time(${selector("up", o.filter!)}[${WINDOW}:]))`,
    }),
  },
  {
    id: "sloth-common/slok-go-http-metrics/availability",
    options: [REQUIRED_FILTER],
    queries: (o) =>
      availability("http_request_duration_seconds_count", 'code=~"(5..|429)"')(o.filter!),
  },
  {
    id: "sloth-common/slok-go-http-metrics/latency",
    options: [BUCKET, REQUIRED_FILTER, EXCLUDE_ERRORS],
    queries: (o) =>
      latency(
        "http_request_duration_seconds",
        withoutErrors(o.filter!, o.exclude_errors!),
        o.bucket!,
      ),
  },
  {
    id: "sloth-common/traefik/v1/availability",
    options: [option("backend_regex", "regexp", "the backends measured"), FILTER],
    queries: (o) =>
      availability(
        "traefik_backend_requests_total",
        'code=~"(5..|429)"',
        `backend=~"${o.backend_regex}"`,
      )(o.filter!),
  },
  {
    id: "sloth-common/traefik/v1/latency",
    options: [
      BUCKET,
      option("backend_regex", "regexp", "the backends measured"),
      FILTER,
      EXCLUDE_ERRORS,
    ],
    queries: (o) =>
      latency(
        "traefik_backend_request_duration_seconds",
        withoutErrors(o.filter!, o.exclude_errors!),
        o.bucket!,
        `backend=~"${o.backend_regex}"`,
      ),
  },
  {
    id: "sloth-common/traefik/v2/availability",
    options: [option("service_name_regex", "regexp", "the services measured"), FILTER],
    queries: (o) =>
      availability(
        "traefik_service_requests_total",
        'code=~"(5..)"',
        `service=~"${o.service_name_regex}"`,
      )(o.filter!),
  },
  {
    id: "sloth-common/traefik/v2/latency",
    options: [
      BUCKET,
      option("service_name_regex", "regexp", "the services measured"),
      FILTER,
      EXCLUDE_ERRORS,
    ],
    queries: (o) =>
      latency(
        "traefik_service_request_duration_seconds",
        withoutErrors(o.filter!, o.exclude_errors!),
        o.bucket!,
        `service=~"${o.service_name_regex}"`,
      ),
  },
];

/**
 * `fake` burns `burn_rate` times the budget: its error ratio is the budget
 * times the burn, with an optional jitter that moves with the clock.
 */
function fakeRatio(o: PluginOptions, objectivePercent: number): PluginQueries {
  const expected = Number((((100 - objectivePercent) / 100) * Number(o.burn_rate)).toPrecision(12));
  const steady = `max_over_time(vector(${expected})[${WINDOW}:])`;
  const jitter = Number(o.jitter_percent || "0");
  if (jitter === 0) return { kind: "ratio", errorRatio: steady };
  const wobble = `(${expected} * (${jitter} - ((time() * minute() * hour() * day_of_week() * month()) % ${jitter * 2}))) / 100`;
  return { kind: "ratio", errorRatio: `(${steady}) - (${wobble})` };
}

export function sliPluginById(id: string): SliPluginTemplate | undefined {
  return SLOTH_SLI_PLUGINS.find((p) => p.id === id);
}
