/**
 * The request-body schemas the fake GitHub validates against: the fixture is
 * what GitHub's OpenAPI description says (this is the one test that reads the
 * 73 MB description), and the validation rejects what GitHub would.
 */

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  extractRequestSchemas,
  FIXTURE,
  readOpenApi,
} from "../../scripts/extract-github-schemas.js";
import { type FakeGitHub, startFakeGitHub } from "../support/github-server.js";

describe("the extract in test/fixtures/github", () => {
  it("matches @octokit/openapi's api.github.com description", async () => {
    const fresh = extractRequestSchemas(await readOpenApi());
    expect(JSON.parse(readFileSync(FIXTURE, "utf8"))).toEqual(fresh);
  }, 60_000);
});

describe("the fake GitHub's validation", () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub({ token: "t0ken" });
  });
  afterAll(() => gh.close());

  const send = (method: string, path: string, body: unknown) =>
    fetch(`${gh.url}/repos/acme/shop${path}`, {
      method,
      headers: { authorization: "token t0ken", "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("accepts a body GitHub accepts", async () => {
    const ok = await send("POST", "/check-runs", {
      name: "slo",
      head_sha: "abc",
      conclusion: "success",
      completed_at: "2026-11-24T12:00:00Z",
      output: { title: "t", summary: "s" },
    });
    expect(ok.status).toBe(201);
    expect(gh.invalid).toEqual([]);
  });

  it.each([
    [
      "a missing required field",
      "POST",
      "/check-runs",
      { name: "slo" },
      /must have required property 'head_sha'/,
    ],
    [
      "a misspelt field",
      "POST",
      "/check-runs",
      { name: "slo", head_sha: "a", headSha: "a" },
      /must NOT have additional properties/,
    ],
    [
      "a wrong enum",
      "POST",
      "/check-runs",
      { name: "s", head_sha: "a", conclusion: "passed" },
      /must be equal to one of the allowed values/,
    ],
    [
      "more than 50 annotations",
      "PATCH",
      "/check-runs/1",
      {
        output: {
          title: "t",
          summary: "s",
          annotations: Array.from({ length: 51 }, () => ({
            path: "a",
            start_line: 1,
            end_line: 1,
            annotation_level: "notice",
            message: "m",
          })),
        },
      },
      /must NOT have more than 50 items/,
    ],
    [
      "a bad date",
      "POST",
      "/check-runs",
      { name: "s", head_sha: "a", conclusion: "success", completed_at: "yesterday" },
      /must match format "date-time"/,
    ],
    ["a bad status state", "POST", "/statuses/abc", { state: "neutral" }, /allowed values/],
    [
      "a long status description",
      "POST",
      "/statuses/abc",
      { state: "success", description: "x".repeat(141) },
      /maximum is 140/,
    ],
    [
      "a comment without a body",
      "POST",
      "/issues/1/comments",
      { text: "hi" },
      /required property 'body'/,
    ],
    [
      "a comment over 65536 characters",
      "POST",
      "/issues/1/comments",
      { body: "x".repeat(65_537) },
      /maximum is 65536/,
    ],
  ])("rejects %s with 422", async (_, method, path, body, problem) => {
    gh.invalid.length = 0;
    const res = await send(method, path, body);
    expect(res.status).toBe(422);
    expect(gh.invalid.join("\n")).toMatch(problem);
    gh.invalid.length = 0;
  });
});
