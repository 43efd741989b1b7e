/**
 * A local stand-in for GitHub's REST API that keeps state like GitHub does:
 * check runs (with their annotations), commit statuses, PR comments, pull
 * requests and issue events. Every request body is validated against
 * GitHub's OpenAPI description (the extract in test/fixtures/github), with
 * unknown fields rejected too; a body that fails is answered 422 and kept in
 * `invalid`, so a test can assert there were none.
 *
 * Deployments and their statuses are kept as GitHub keeps them: listed
 * newest first, filtered by environment, paginated; a status posted to a
 * deployment joins its list. Tags (GET /git/ref/tags/{tag}) and the
 * repository's default branch are answered from the options.
 *
 * Tokens behave like GitHub's: "app" (GITHUB_TOKEN, write access), "pat" (a
 * personal token: check runs are refused with 403), "read-only" (a forked
 * PR's token: every write is refused with 403). `deny` refuses one
 * permission; `failNext` injects errors (403 rate limits, 502s).
 *
 * Who a token is also behaves like GitHub: what it writes is authored by
 * `login`; GET /user answers it for a personal token and 403 for an
 * installation token ("app", "read-only"), whose login GraphQL's `viewer`
 * gives instead.
 */

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";
import { FIXTURE, type RequestSchemas } from "../../scripts/extract-github-schemas.js";

export type TokenKind = "app" | "pat" | "read-only";
export type Permission = "checks" | "statuses" | "pull-requests" | "issues" | "deployments";

export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  output: { title: string; summary: string };
  annotations: Record<string, unknown>[];
}

export interface CommitStatus {
  sha: string;
  state: string;
  context: string;
  description: string | null;
  target_url: string | null;
}

export interface IssueComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
  updated_at: string;
}

export interface Issue {
  number: number;
  user: { login: string; type: string };
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  labels: string[];
  created_at: string;
  updated_at: string;
}

export interface PullRequest {
  number: number;
  state: "open" | "closed";
  headSha: string;
  labels: string[];
  /** commits that belong to it (for GET /commits/{sha}/pulls); the head is added */
  commits?: string[];
  /** when it was merged (RFC 3339); absent: not merged */
  mergedAt?: string;
  /** the branch it merges into (default: main) */
  base?: string;
}

export interface DeploymentStatus {
  id: number;
  state: string;
  description: string;
  environment: string;
  log_url: string;
  created_at: string;
}

export interface Deployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  created_at: string;
  /** oldest first, as they were posted; GitHub lists them newest first */
  statuses: DeploymentStatus[];
}

export interface DeploymentInput {
  sha: string;
  ref?: string;
  environment?: string;
  createdAt: string;
  statuses?: { state: string; createdAt: string; description?: string }[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
  authorization: string | undefined;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  body: unknown;
  /** sent as it is, with its content type, instead of a JSON body (a proxy's HTML error page) */
  raw: { contentType: string; text: string } | undefined;
  headers: Record<string, string>;
  times: number;
}

export interface FaultOptions {
  body?: unknown;
  /** a body that is not JSON, e.g. GitHub's HTML error page */
  raw?: { contentType: string; text: string };
  headers?: Record<string, string>;
  times?: number;
}

export interface FakeGitHubOptions {
  token: string;
  kind?: TokenKind;
  owner?: string;
  repo?: string;
  pulls?: PullRequest[];
  /** issue events: who labeled what, per PR number */
  labelEvents?: Record<number, { label: string; actor: string }[]>;
  /** who the token is (default: github-actions[bot] for an installation token, octocat for a pat) */
  login?: string;
  deployments?: DeploymentInput[];
  /** tag names (GET /git/ref/tags/{tag} answers 200 for these, 404 for others) */
  tags?: string[];
  /** the repository's default branch (default: main) */
  defaultBranch?: string;
}

export interface FakeGitHub {
  url: string;
  kind: TokenKind;
  /** who the token is: the author of what it writes */
  login: string;
  deny: Set<Permission>;
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  comments: IssueComment[];
  pulls: PullRequest[];
  /** issues (not PRs): GET/POST /issues, GET/PATCH /issues/{n}; they share numbers with PRs */
  issues: Issue[];
  deployments: Deployment[];
  requests: RecordedRequest[];
  invalid: string[];
  /** answer the next `times` matching requests with this status */
  failNext(method: string, path: RegExp, status: number, options?: FaultOptions): void;
  /** runs before a comment is created: a test adds a racing job's comment here */
  beforeCreateComment: ((issue: number, body: string) => void) | null;
  /** add a comment as another job or a person would (by default as the token's login) */
  addComment(issue: number, body: string, login?: string): IssueComment;
  /** open an issue as a person would (by default as the token's login) */
  addIssue(input: { title: string; body: string; labels: string[] }, login?: string): Issue;
  /** a deployment, with its statuses, as a deploy workflow would have made it */
  addDeployment(input: DeploymentInput): Deployment;
  close(): Promise<void>;
}

/** GitHub's limits that the OpenAPI description does not state. */
const COMMENT_LIMIT = 65_536;
const STATUS_DESCRIPTION_LIMIT = 140;

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const validators = loadValidators();
  const owner = options.owner ?? "acme";
  const repo = options.repo ?? "shop";
  const faults: Fault[] = [];
  let nextId = 1000;
  const labelEvents = options.labelEvents ?? {};

  const kind = options.kind ?? "app";
  const state: Omit<
    FakeGitHub,
    | "url"
    | "close"
    | "failNext"
    | "addComment"
    | "addIssue"
    | "addDeployment"
    | "beforeCreateComment"
  > = {
    kind,
    login: options.login ?? (kind === "pat" ? "octocat" : "github-actions[bot]"),
    deny: new Set(),
    checkRuns: [],
    statuses: [],
    comments: [],
    pulls: options.pulls ?? [],
    issues: [],
    deployments: [],
    requests: [],
    invalid: [],
  };

  const fake = Object.assign(state, {
    beforeCreateComment: null as FakeGitHub["beforeCreateComment"],
  });
  const userOf = (login: string) => ({ login, type: login.endsWith("[bot]") ? "Bot" : "User" });
  const addComment = (issue: number, body: string, login = state.login) => {
    const now = new Date().toISOString();
    const comment: IssueComment = {
      id: nextId++,
      issue,
      body,
      user: userOf(login),
      created_at: now,
      updated_at: now,
    };
    state.comments.push(comment);
    return comment;
  };
  const addIssue = (
    input: { title: string; body: string | null; labels: string[] },
    login = state.login,
  ) => {
    const now = new Date().toISOString();
    const issue: Issue = {
      number:
        Math.max(0, ...state.issues.map((i) => i.number), ...state.pulls.map((p) => p.number)) + 1,
      user: userOf(login),
      title: input.title,
      body: input.body,
      state: "open",
      state_reason: null,
      labels: input.labels,
      created_at: now,
      updated_at: now,
    };
    state.issues.push(issue);
    return issue;
  };

  const addDeployment = (input: DeploymentInput): Deployment => {
    const environment = input.environment ?? "production";
    const deployment: Deployment = {
      id: nextId++,
      sha: input.sha,
      ref: input.ref ?? input.sha,
      environment,
      created_at: input.createdAt,
      statuses: (input.statuses ?? []).map((st) => ({
        id: nextId++,
        state: st.state,
        description: st.description ?? "",
        environment,
        log_url: "",
        created_at: st.createdAt,
      })),
    };
    state.deployments.push(deployment);
    return deployment;
  };
  for (const d of options.deployments ?? []) addDeployment(d);
  const tags = new Set(options.tags ?? []);
  const defaultBranch = options.defaultBranch ?? "main";

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = req.method ?? "GET";
    const text = await readBody(req);
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const record: RecordedRequest = {
      method,
      path: url.pathname + url.search,
      status: 0,
      body,
      authorization: req.headers.authorization,
    };
    state.requests.push(record);
    // GitHub's query parameters are snake_case words; anything else is a client passing its own fields
    for (const [name, value] of url.searchParams) {
      if (!/^[a-z_]+$/.test(name) || value.includes("[object "))
        state.invalid.push(
          `${method} ${url.pathname}: query parameter ${name}=${value} is none of GitHub's`,
        );
    }
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(status === 204 ? undefined : JSON.stringify(data));
    };

    const fault = faults.find((f) => f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.times--;
      if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
      if (fault.raw) {
        record.status = fault.status;
        res.writeHead(fault.status, { "content-type": fault.raw.contentType, ...fault.headers });
        return res.end(fault.raw.text);
      }
      return send(fault.status, fault.body, fault.headers);
    }
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (token !== options.token) {
      return send(401, { message: "Bad credentials", status: "401" });
    }
    const forbidden = (message = "Resource not accessible by integration") =>
      send(403, { message, documentation_url: "https://docs.github.com/rest", status: "403" });

    // Who the token is: GET /user refuses installation tokens; GraphQL's viewer answers all.
    if (method === "GET" && url.pathname === "/user") {
      if (state.kind !== "pat") return forbidden();
      return send(200, { login: state.login, id: 1, type: "User" });
    }
    if (method === "POST" && url.pathname === "/graphql") {
      if (
        !/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(String(fieldsOf(body).query))
      ) {
        state.invalid.push(`graphql: unexpected query ${JSON.stringify(body)}`);
        return send(200, { errors: [{ message: "unexpected query" }] });
      }
      return send(200, { data: { viewer: { login: state.login } } });
    }

    const prefix = `/repos/${owner}/${repo}`;
    if (method === "GET" && url.pathname === prefix) {
      return send(200, {
        id: 1,
        name: repo,
        full_name: `${owner}/${repo}`,
        default_branch: defaultBranch,
      });
    }
    if (!url.pathname.startsWith(`${prefix}/`)) return send(404, { message: "Not Found" });
    const path = url.pathname.slice(prefix.length);
    const writing = method !== "GET";
    if (writing && state.kind === "read-only") return forbidden();

    const validate = (operation: string): boolean => {
      const check = validators.get(operation)!;
      if (check(body)) return true;
      const problems = (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
      state.invalid.push(`${operation}: ${problems.join("; ")}`);
      send(422, { message: "Invalid request.", errors: problems, status: "422" });
      return false;
    };
    const invalid = (operation: string, problem: string) => {
      state.invalid.push(`${operation}: ${problem}`);
      send(422, { message: `Invalid request. ${problem}`, status: "422" });
    };
    const b = (body ?? {}) as Record<string, unknown>;
    /** The first capture of a route pattern, or undefined when the path is another route. */
    const param = (route: RegExp) => route.exec(path)?.[1];

    // Check runs
    if (method === "POST" && path === "/check-runs") {
      if (state.kind === "pat") return forbidden("You must authenticate via a GitHub App.");
      if (state.deny.has("checks")) return forbidden();
      if (!validate("checks/create")) return;
      if (b.status === "completed" && !b.conclusion)
        return invalid("checks/create", "conclusion is required when status is completed");
      const output = (b.output ?? {}) as Record<string, unknown>;
      const run: CheckRun = {
        id: nextId++,
        name: String(b.name),
        head_sha: String(b.head_sha),
        status: b.conclusion ? "completed" : String(b.status ?? "queued"),
        conclusion: (b.conclusion as string | undefined) ?? null,
        details_url: (b.details_url as string | undefined) ?? null,
        output: { title: String(output.title ?? ""), summary: String(output.summary ?? "") },
        annotations: [...((output.annotations as Record<string, unknown>[] | undefined) ?? [])],
      };
      state.checkRuns.push(run);
      return send(201, checkRunJson(run));
    }
    const checkRunId = param(/^\/check-runs\/(\d+)$/);
    if (method === "PATCH" && checkRunId) {
      if (state.kind === "pat") return forbidden("You must authenticate via a GitHub App.");
      if (state.deny.has("checks")) return forbidden();
      if (!validate("checks/update")) return;
      const run = state.checkRuns.find((r) => r.id === Number(checkRunId));
      if (!run) return send(404, { message: "Not Found" });
      const output = (b.output ?? {}) as Record<string, unknown>;
      if (output.title !== undefined) run.output.title = String(output.title);
      if (output.summary !== undefined) run.output.summary = String(output.summary);
      // Annotations are appended, as GitHub does.
      run.annotations.push(
        ...((output.annotations as Record<string, unknown>[] | undefined) ?? []),
      );
      if (b.conclusion) {
        run.conclusion = String(b.conclusion);
        run.status = "completed";
      }
      return send(200, checkRunJson(run));
    }

    // Commit statuses
    const statusSha = param(/^\/statuses\/([0-9a-f]+)$/i);
    if (method === "POST" && statusSha) {
      if (state.deny.has("statuses")) return forbidden();
      if (!validate("repos/create-commit-status")) return;
      const description = (b.description as string | null | undefined) ?? null;
      if (description !== null && description.length > STATUS_DESCRIPTION_LIMIT) {
        return invalid(
          "repos/create-commit-status",
          "description is too long (maximum is 140 characters)",
        );
      }
      const status: CommitStatus = {
        sha: statusSha,
        state: String(b.state),
        context: String(b.context ?? "default"),
        description,
        target_url: (b.target_url as string | null | undefined) ?? null,
      };
      state.statuses.push(status);
      return send(201, { id: nextId++, ...status });
    }

    // Comments
    const commentsOf = param(/^\/issues\/(\d+)\/comments$/);
    if (commentsOf) {
      const issue = Number(commentsOf);
      if (method === "GET") {
        const all = state.comments.filter((c) => c.issue === issue).sort((x, y) => x.id - y.id);
        return sendPage(url, all.map(commentJson), send);
      }
      if (method === "POST") {
        if (state.deny.has("pull-requests")) return forbidden();
        if (!validate("issues/create-comment")) return;
        if (String(b.body).length > COMMENT_LIMIT) {
          return invalid("issues/create-comment", "body is too long (maximum is 65536 characters)");
        }
        const hook = fake.beforeCreateComment;
        fake.beforeCreateComment = null;
        hook?.(issue, String(b.body));
        return send(201, commentJson(addComment(issue, String(b.body))));
      }
    }
    const commentId = param(/^\/issues\/comments\/(\d+)$/);
    if (commentId) {
      const comment = state.comments.find((c) => c.id === Number(commentId));
      if (method === "PATCH") {
        if (state.deny.has("pull-requests")) return forbidden();
        if (!validate("issues/update-comment")) return;
        if (String(b.body).length > COMMENT_LIMIT) {
          return invalid("issues/update-comment", "body is too long (maximum is 65536 characters)");
        }
        if (!comment) return send(404, { message: "Not Found" });
        comment.body = String(b.body);
        comment.updated_at = new Date().toISOString();
        return send(200, commentJson(comment));
      }
      if (method === "DELETE") {
        if (state.deny.has("pull-requests")) return forbidden();
        if (!comment) return send(404, { message: "Not Found" });
        state.comments.splice(state.comments.indexOf(comment), 1);
        return send(204, null);
      }
    }

    // Issues: GitHub lists PRs among issues (with pull_request set); labels are created on use.
    if (path === "/issues" && method === "GET") {
      const wanted = url.searchParams.get("state") ?? "open";
      const labels = (url.searchParams.get("labels") ?? "").split(",").filter(Boolean);
      const all = [
        ...state.issues.map(issueJson),
        ...state.pulls.map((p) => ({
          ...pullJson(p),
          title: `PR ${p.number}`,
          body: null,
          pull_request: {},
        })),
      ]
        .filter((i) => wanted === "all" || i.state === wanted)
        .filter((i) => labels.every((l) => i.labels.some((x) => x.name === l)))
        .sort((x, y) => x.number - y.number);
      if (url.searchParams.get("direction") !== "asc") all.reverse();
      return sendPage(url, all, send);
    }
    if (path === "/issues" && method === "POST") {
      if (state.deny.has("issues")) return forbidden();
      if (!validate("issues/create")) return;
      if (String(b.body ?? "").length > COMMENT_LIMIT) {
        return invalid("issues/create", "body is too long (maximum is 65536 characters)");
      }
      const issue = addIssue({
        title: String(b.title),
        body: (b.body as string | undefined) ?? null,
        labels: labelNames(b.labels),
      });
      return send(201, issueJson(issue));
    }
    const issuePath = /^\/issues\/(\d+)$/.exec(path);
    if (issuePath && (method === "GET" || method === "PATCH")) {
      const issue = state.issues.find((i) => i.number === Number(issuePath[1]));
      if (method === "PATCH") {
        if (state.deny.has("issues")) return forbidden();
        if (!validate("issues/update")) return;
        if (b.body !== undefined && String(b.body ?? "").length > COMMENT_LIMIT) {
          return invalid("issues/update", "body is too long (maximum is 65536 characters)");
        }
        if (!issue) return send(404, { message: "Not Found" });
        if (b.title !== undefined) issue.title = String(b.title);
        if (b.body !== undefined) issue.body = (b.body as string | null) ?? null;
        if (b.labels !== undefined) issue.labels = labelNames(b.labels);
        if (b.state === "open" || b.state === "closed") {
          issue.state_reason =
            b.state === "closed" ? ((b.state_reason as string | undefined) ?? "completed") : null;
          issue.state = b.state;
        }
        issue.updated_at = new Date().toISOString();
      }
      return issue ? send(200, issueJson(issue)) : send(404, { message: "Not Found" });
    }

    // Pull requests and issue events (reads)
    const pullNumber = param(/^\/pulls\/(\d+)$/);
    if (method === "GET" && pullNumber) {
      const pull = state.pulls.find((p) => p.number === Number(pullNumber));
      return pull ? send(200, pullJson(pull)) : send(404, { message: "Not Found" });
    }
    if (method === "GET" && path === "/pulls") {
      const wanted = url.searchParams.get("state") ?? "open";
      const list = state.pulls.filter((p) => wanted === "all" || p.state === wanted);
      return sendPage(url, list.map(pullJson), send);
    }
    const commitSha = param(/^\/commits\/([0-9a-f]+)\/pulls$/i);
    if (method === "GET" && commitSha) {
      const sha = commitSha;
      const list = state.pulls.filter((p) => p.headSha === sha || p.commits?.includes(sha));
      return send(200, list.map(pullJson));
    }
    // Deployments: reads need `deployments: read`, a status needs `deployments: write`.
    if (method === "GET" && path === "/deployments") {
      if (state.deny.has("deployments")) return forbidden();
      const environment = url.searchParams.get("environment");
      const list = state.deployments
        .filter((d) => environment === null || d.environment === environment)
        .sort((x, y) => y.created_at.localeCompare(x.created_at) || y.id - x.id);
      return sendPage(url, list.map(deploymentJson), send);
    }
    const statusesOf = param(/^\/deployments\/(\d+)\/statuses$/);
    if (statusesOf) {
      if (state.deny.has("deployments")) return forbidden();
      const deployment = state.deployments.find((d) => d.id === Number(statusesOf));
      if (method === "GET") {
        if (!deployment) return send(404, { message: "Not Found" });
        const newestFirst = [...deployment.statuses].reverse();
        return sendPage(
          url,
          newestFirst.map((st) => deploymentStatusJson(deployment, st)),
          send,
        );
      }
      if (method === "POST") {
        if (!validate("repos/create-deployment-status")) return;
        const description = String(b.description ?? "");
        if (description.length > STATUS_DESCRIPTION_LIMIT) {
          return invalid(
            "repos/create-deployment-status",
            "description is too long (maximum is 140 characters)",
          );
        }
        if (!deployment) return send(404, { message: "Not Found" });
        const status: DeploymentStatus = {
          id: nextId++,
          state: String(b.state),
          description,
          environment: String(b.environment ?? deployment.environment),
          log_url: String(b.log_url ?? b.target_url ?? ""),
          created_at: new Date().toISOString(),
        };
        deployment.statuses.push(status);
        return send(201, deploymentStatusJson(deployment, status));
      }
    }
    // Octokit sends the ref encoded (tags%2Fv1.2.0), and GitHub reads it either way.
    const tag = /^\/git\/ref\/tags\/(.+)$/.exec(decodeURIComponent(path))?.[1];
    if (method === "GET" && tag) {
      const name = tag;
      return tags.has(name)
        ? send(200, { ref: `refs/tags/${name}`, object: { sha: "0".repeat(40), type: "commit" } })
        : send(404, { message: "Not Found" });
    }

    const eventsOf = param(/^\/issues\/(\d+)\/events$/);
    if (method === "GET" && eventsOf) {
      const events = (labelEvents[Number(eventsOf)] ?? []).map((e, i) => ({
        id: i + 1,
        event: "labeled",
        actor: { login: e.actor },
        label: { name: e.label, color: "ededed" },
        created_at: new Date().toISOString(),
      }));
      return sendPage(url, events, send);
    }
    return send(404, { message: "Not Found" });

    function checkRunJson(run: CheckRun) {
      return {
        id: run.id,
        name: run.name,
        head_sha: run.head_sha,
        status: run.status,
        conclusion: run.conclusion,
        html_url: `https://github.test/${owner}/${repo}/runs/${run.id}`,
        output: { ...run.output, annotations_count: run.annotations.length },
      };
    }
    function commentJson(c: IssueComment) {
      return {
        id: c.id,
        body: c.body,
        user: c.user,
        created_at: c.created_at,
        updated_at: c.updated_at,
        html_url: `https://github.test/${owner}/${repo}/pull/${c.issue}#issuecomment-${c.id}`,
      };
    }
    function issueJson(i: Issue) {
      return {
        number: i.number,
        user: i.user,
        title: i.title,
        body: i.body,
        state: i.state,
        state_reason: i.state_reason,
        labels: i.labels.map((name, n) => ({ id: n + 1, name })),
        created_at: i.created_at,
        updated_at: i.updated_at,
        html_url: `https://github.test/${owner}/${repo}/issues/${i.number}`,
      };
    }
    function pullJson(p: PullRequest) {
      return {
        number: p.number,
        state: p.state,
        html_url: `https://github.test/${owner}/${repo}/pull/${p.number}`,
        head: { sha: p.headSha, ref: `branch-${p.number}` },
        base: { ref: p.base ?? defaultBranch },
        merged_at: p.mergedAt ?? null,
        labels: p.labels.map((name, i) => ({ id: i + 1, name })),
      };
    }
    function deploymentJson(d: Deployment) {
      return {
        id: d.id,
        sha: d.sha,
        ref: d.ref,
        task: "deploy",
        environment: d.environment,
        original_environment: d.environment,
        created_at: d.created_at,
        updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
        statuses_url: `${prefix}/deployments/${d.id}/statuses`,
      };
    }
    function deploymentStatusJson(d: Deployment, st: DeploymentStatus) {
      return {
        id: st.id,
        state: st.state,
        description: st.description,
        environment: st.environment,
        log_url: st.log_url,
        target_url: st.log_url,
        created_at: st.created_at,
        updated_at: st.created_at,
        deployment_url: `${prefix}/deployments/${d.id}`,
      };
    }
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    failNext(method: string, path: RegExp, status: number, opts: FaultOptions = {}) {
      faults.push({
        method,
        path,
        status,
        body: opts.body ?? { message: `injected ${status}` },
        raw: opts.raw,
        headers: opts.headers ?? {},
        times: opts.times ?? 1,
      });
    },
    addComment,
    addIssue,
    addDeployment,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Pagination as GitHub does it: per_page (max 100), page, and a Link header to the next page. */
function sendPage(
  url: URL,
  items: unknown[],
  send: (status: number, data: unknown, headers?: Record<string, string>) => void,
) {
  const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
  const page = Number(url.searchParams.get("page") ?? 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URL(url.toString());
    next.searchParams.set("page", String(page + 1));
    headers.link = `<${next.pathname}${next.search}>; rel="next"`;
  }
  send(200, slice, headers);
}

function fieldsOf(body: unknown): Record<string, unknown> {
  return (body ?? {}) as Record<string, unknown>;
}

function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((l) =>
    typeof l === "string" ? l : String((l as { name?: unknown }).name ?? ""),
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

let cached: Map<string, ValidateFunction> | undefined;

/** One validator per operation; objects that list their properties accept no others. */
export function loadValidators(): Map<string, ValidateFunction> {
  if (cached) return cached;
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as RequestSchemas;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  cached = new Map();
  for (const [id, op] of Object.entries(fixture.operations)) {
    cached.set(id, ajv.compile(closed(op.schema) as object));
  }
  return cached;
}

/**
 * The problems of an event payload against GitHub's webhook schema (empty: it
 * is shaped as GitHub sends it). Open, unlike request bodies: GitHub adds
 * fields to its payloads without notice.
 */
export function webhookProblems(id: string, payload: unknown): string[] {
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as RequestSchemas;
  const hook = fixture.webhooks[id];
  if (!hook) return [`no webhook ${id} in the extract`];
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:\S+$/i);
  const check = ajv.compile(nullableSpelt(hook.schema) as object);
  if (check(payload)) return [];
  return (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/** OpenAPI 3.0's nullable, spelt out for Ajv, without closing objects. */
function nullableSpelt(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(nullableSpelt);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === "properties" ? mapValues(v, nullableSpelt) : nullableSpelt(v);
  if (out.nullable === true) {
    const { nullable: _, ...rest } = out;
    return { anyOf: [rest, { type: "null" }] };
  }
  return out;
}

/**
 * Deep copy with additionalProperties: false on typed objects, so a misspelt
 * field is caught too.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === "properties" ? mapValues(v, closed) : closed(v);
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  // OpenAPI 3.0's nullable next to oneOf, without a type: Ajv wants it spelt out.
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _, description, ...rest } = out;
    return {
      ...(description !== undefined ? { description } : {}),
      anyOf: [rest, { type: "null" }],
    };
  }
  return out;
}

function mapValues(value: unknown, fn: (v: unknown) => unknown): unknown {
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fn(v)]));
}

/** A repository with one deployment that succeeded at `deployedAt`, shipped by merged PR `pr`. */
export interface DeployedRepo {
  token: string;
  sha: string;
  /** RFC 3339; the deployment is created a minute or two before */
  createdAt: string;
  deployedAt: string;
  pr: { number: number; mergedAt: string };
  tags?: string[];
}

/** The fake GitHub holding that deployment, and the deployment's id. */
export async function startDeployedRepo(
  repo: DeployedRepo,
): Promise<{ gh: FakeGitHub; deploymentId: number }> {
  const gh = await startFakeGitHub({
    token: repo.token,
    ...(repo.tags ? { tags: repo.tags } : {}),
    pulls: [
      {
        number: repo.pr.number,
        state: "closed",
        headSha: "f".repeat(40),
        commits: [repo.sha],
        labels: [],
        mergedAt: repo.pr.mergedAt,
      },
    ],
  });
  const deploymentId = gh.addDeployment({
    sha: repo.sha,
    ref: "v1.4.2",
    createdAt: repo.createdAt,
    statuses: [{ state: "success", createdAt: repo.deployedAt }],
  }).id;
  return { gh, deploymentId };
}
