/**
 * `${VAR}` in what slo never reads: the connectionDetails of a DataSource of
 * a type slo cannot query stay as written (no variable needs to be set, no
 * secret enters the model) and convert writes them back as written. A
 * DataSource that fails to load is reported once, never again as missing
 * where an SLO refers to it.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT, runCli } from "../support/cli.js";

const DIR = join(ROOT, "test", "fixtures", "openslo", "unsupported-sources");
const WITH_ENV = join(DIR, "env-in-connection-details.yaml");
const AS_WRITTEN = {
  apiKey: "${DD_API_KEY}",
  applicationKey: "${DD_APP_KEY:-local-app-key}",
  site: "$${DD_SITE}",
};

describe("variables in the connectionDetails of a DataSource slo cannot query", () => {
  it("load with none of them set, kept as written", async () => {
    const { set, errors } = await loadSpec([WITH_ENV], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const source = set.services[0]!.sources["datadog-prod"];
    expect(source).toMatchObject({ type: "unsupported", connectionDetails: AS_WRITTEN });
  });

  it("are not expanded when set: the secret never enters the model", async () => {
    const env = { DD_API_KEY: "dd-secret-4711", DD_APP_KEY: "app-secret-4712" };
    const { set, errors } = await loadSpec([WITH_ENV], { env, cwd: ROOT });
    expect(errors).toEqual([]);
    expect(set.services[0]!.sources["datadog-prod"]).toMatchObject({
      connectionDetails: AS_WRITTEN,
    });
    expect(JSON.stringify(set)).not.toContain("secret-471");
  });

  it("are written back as written by convert --to openslo, the secrets set or not", async () => {
    const env = { DD_API_KEY: "dd-secret-4711", DD_APP_KEY: "app-secret-4712" };
    const result = await runCli(["convert", "--to", "openslo", WITH_ENV], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("apiKey: ${DD_API_KEY}\n");
    expect(result.stdout).toContain("applicationKey: ${DD_APP_KEY:-local-app-key}\n");
    expect(result.stdout).toContain("site: $${DD_SITE}\n");
    expect(`${result.stdout}${result.stderr}`).not.toContain("secret-471");
  });
});

describe("a DataSource that fails to load", () => {
  it.each([
    ["04-unset-variable-referenced.yaml", "environment variable PROM_URL is not set"],
    ["05-datasource-bad-envelope.yaml", "metadata.owner: unknown key 'owner'"],
  ])("%s: only its own error, no 'no DataSource named' where SLOs use it", async (name, text) => {
    const { errors } = await loadSpec([join(DIR, "broken", name)], { env: {}, cwd: ROOT });
    const formatted = errors.map((e) => e.format());
    expect(formatted).toHaveLength(1);
    expect(formatted[0]).toContain(text);
  });
});
