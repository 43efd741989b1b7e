/**
 * Extracts the request-body schemas of the GitHub operations slo calls from
 * @octokit/openapi's description (a 73 MB file in a 385 MB package) into a
 * small fixture the fake GitHub server validates every request body against,
 * and the webhook payloads the tests write as events.
 *   npx tsx scripts/extract-github-schemas.ts
 * test/github/openapi-extract.test.ts checks the fixture still matches the package.
 */

import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The operations with a request body that slo sends: add one here when a reporter starts using it. */
export const OPERATIONS = [
  { id: "checks/create", method: "post", path: "/repos/{owner}/{repo}/check-runs" },
  { id: "checks/update", method: "patch", path: "/repos/{owner}/{repo}/check-runs/{check_run_id}" },
  {
    id: "repos/create-commit-status",
    method: "post",
    path: "/repos/{owner}/{repo}/statuses/{sha}",
  },
  {
    id: "issues/create-comment",
    method: "post",
    path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
  },
  {
    id: "issues/update-comment",
    method: "patch",
    path: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
  },
  { id: "issues/create", method: "post", path: "/repos/{owner}/{repo}/issues" },
  { id: "issues/update", method: "patch", path: "/repos/{owner}/{repo}/issues/{issue_number}" },
  {
    id: "repos/create-deployment-status",
    method: "post",
    path: "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  },
] as const;

/** The webhook payloads slo reads from GITHUB_EVENT_PATH, so the tests' events are shaped as GitHub sends them. */
export const WEBHOOKS = [{ id: "deployment-status-created", event: "deployment_status" }] as const;

export interface RequestSchemas {
  source: string;
  operations: Record<string, { method: string; path: string; schema: unknown }>;
  webhooks: Record<string, { event: string; schema: unknown }>;
}

export const FIXTURE = join(
  dirname(fileURLToPath(import.meta.url)),
  "../test/fixtures/github/request-schemas.json",
);

interface OpenApi {
  info: { version: string };
  paths: Record<
    string,
    Record<
      string,
      { operationId?: string; requestBody?: { content?: Record<string, { schema?: unknown }> } }
    >
  >;
  "x-webhooks"?: Record<
    string,
    { post?: { requestBody?: { content?: Record<string, { schema?: unknown }> } } }
  >;
}

export async function readOpenApi(): Promise<OpenApi> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@octokit/openapi/package.json"));
  return JSON.parse(await readFile(join(dir, "generated/api.github.com.deref.json"), "utf8"));
}

export function extractRequestSchemas(api: OpenApi): RequestSchemas {
  const operations: RequestSchemas["operations"] = {};
  for (const op of OPERATIONS) {
    const found = api.paths[op.path]?.[op.method];
    if (found?.operationId !== op.id) {
      throw new Error(`${op.method.toUpperCase()} ${op.path} is not ${op.id} in the description`);
    }
    const schema = found.requestBody?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`${op.id} has no application/json request body`);
    operations[op.id] = { method: op.method.toUpperCase(), path: op.path, schema };
  }
  const webhooks: RequestSchemas["webhooks"] = {};
  for (const hook of WEBHOOKS) {
    const schema =
      api["x-webhooks"]?.[hook.id]?.post?.requestBody?.content?.["application/json"]?.schema;
    if (!schema) throw new Error(`the description has no webhook ${hook.id}`);
    webhooks[hook.id] = { event: hook.event, schema };
  }
  return {
    source: `@octokit/openapi ${api.info.version}: generated/api.github.com.deref.json`,
    operations,
    webhooks,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const schemas = extractRequestSchemas(await readOpenApi());
  await writeFile(FIXTURE, `${JSON.stringify(schemas, null, 2)}\n`);
  console.log(`wrote ${FIXTURE}: ${Object.keys(schemas.operations).length} operations`);
}
