/** Rule groups -> YAML: a Prometheus rule file, or PrometheusRule resources for the Prometheus Operator. */

import { renderDocuments } from "../definition/write/yaml.js";
import type { Rule, RuleGroup, ServiceRules } from "./build.js";

export const RULE_FORMATS = ["prometheus", "prometheus-operator"] as const;
export type RuleFormat = (typeof RULE_FORMATS)[number];

function ruleOf(rule: Rule): Record<string, unknown> {
  return "record" in rule
    ? { record: rule.record, expr: rule.expr, labels: rule.labels }
    : { alert: rule.alert, expr: rule.expr, labels: rule.labels, annotations: rule.annotations };
}

function groupOf(group: RuleGroup): Record<string, unknown> {
  return { name: group.name, rules: group.rules.map(ruleOf) };
}

/** A Kubernetes name: lowercase letters, digits and '-', at most 63 characters. */
export function kubernetesName(text: string): string {
  const clean = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return clean.slice(0, 63).replace(/-$/, "") || "slo";
}

export function renderRules(
  services: ServiceRules[],
  format: RuleFormat,
  header: string[],
): string {
  if (format === "prometheus") {
    return renderDocuments([{ groups: services.flatMap((s) => s.groups.map(groupOf)) }], header);
  }
  return renderDocuments(
    services.map((s) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: {
        name: kubernetesName(`slo-${s.service}`),
        labels: { "app.kubernetes.io/managed-by": "slo" },
      },
      spec: { groups: s.groups.map(groupOf) },
    })),
    header,
  );
}
