/**
 * The one HTTP helper every remote source (and later the GitHub and alert
 * senders) goes through. Timeouts, bounded retries, credentials, redaction
 * and the wording of errors live here and nowhere else, so a secret can only
 * leak if this file leaks it.
 *
 * A call either resolves with the response or rejects with an SloError
 * (code "source" by default) whose message names who was talking, the URL
 * with credentials removed, and what went wrong.
 */

import { SloError } from "../errors.js";
import { MAX_RESPONSE_BYTES, MAX_SAME_ORIGIN_REDIRECTS, MAX_TIMER_MS } from "../limits.js";

export interface HttpCredentials {
  headers?: Record<string, string> | undefined;
  bearerToken?: string | undefined;
  basicAuth?: { username: string; password: string } | undefined;
}

export interface HttpClientOptions extends HttpCredentials {
  /** who is talking, for messages: `prometheus source 'prom'` */
  label: string;
  /** the base URL; request paths are appended to its path */
  url: string;
  /** one attempt, from sending the request to the last byte of the body */
  timeoutMs: number;
  /** extra attempts after the first, on connection errors, timeouts, 5xx and 429 */
  retries: number;
  errorCode?: "source" | "delivery";
  /** requests in flight at once through this client (default 8) */
  maxConcurrent?: number;
  /** exponential backoff between attempts, before jitter (default 250 ms doubling to 4 s) */
  backoff?: { initialMs: number; maxMs: number };
  /** a server's Retry-After is honoured up to this (default 10 s) */
  maxRetryAfterMs?: number;
  /** one call, all attempts and waits included (default: the sum of their bounds) */
  deadlineMs?: number;
  /** the largest body read; past it the call fails (default MAX_RESPONSE_BYTES; tests lower it) */
  maxResponseBytes?: number;
  /** turns an error body into a short explanation, e.g. Prometheus' `errorType: error` */
  describeErrorBody?: (body: string) => string | undefined;
}

export interface HttpRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** appended to the base URL's path */
  path: string;
  /** query-string parameters; arrays repeat the name (`match[]`) */
  params?: Record<string, string | readonly string[]>;
  /** an application/x-www-form-urlencoded body */
  form?: Record<string, string | readonly string[]>;
  /** a JSON body */
  json?: unknown;
  headers?: Record<string, string>;
  /** what the request was for, added to error messages, e.g. `query: sum(...)` */
  context?: string;
  /** false for requests that must not be sent twice (default true) */
  retry?: boolean;
  /** non-2xx statuses that are answers, not failures: a health endpoint's 503 */
  acceptStatus?: readonly number[];
  /** gives up at once when aborted: the caller no longer needs the answer */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpClient {
  /** the base URL with credentials removed, safe to print */
  readonly displayUrl: string;
  request(req: HttpRequest): Promise<HttpResponse>;
  /** request, then parse the body as JSON; a body that is not JSON is an error */
  requestJson(req: HttpRequest): Promise<unknown>;
  /** `text` with every configured secret removed */
  redact(text: string): string;
}

const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 4000 };
const DEFAULT_MAX_RETRY_AFTER_MS = 10_000;
const DEFAULT_MAX_CONCURRENT = 8;
const EXCERPT_CHARS = 200;
/** Shorter values are not treated as secrets: removing every "1" would garble messages. */
const MIN_SECRET_LENGTH = 4;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const secrets = secretValues(options);
  const redact = (text: string) => redactText(text, secrets);
  const parsed = parseBaseUrl(options.url);
  if (parsed instanceof SloError) return failingClient(options, parsed, redact);
  const base = parsed;
  const headers = requestHeaders(options, base.userinfo);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const retries = Math.max(0, Math.floor(options.retries));
  const deadlineMs =
    options.deadlineMs ??
    (retries + 1) * options.timeoutMs + retries * Math.max(backoff.maxMs, maxRetryAfterMs);
  const limit = createLimiter(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT);
  const displayUrl = redact(redactUrl(base.url.toString()));
  // Set once a call has given up because the server never answered in time, or kept
  // answering "come back later" (429, 503, Retry-After): calls not yet sent then fail at
  // once. Otherwise such a server costs every queued call its own timeouts or waits and
  // retries, one batch of maxConcurrent calls after another: minutes for a source with a
  // dozen SLOs.
  let unresponsive: Unresponsive | undefined;

  const fail = (req: HttpRequest, problem: Problem, attempts: number): SloError => {
    const where = redact(redactUrl(joinUrl(base.url, req.path).toString()));
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : "";
    const context = req.context ? `; ${req.context}` : "";
    return new SloError({
      code: options.errorCode ?? "source",
      message: redact(`${options.label} at ${where}: ${problem.message}${tries}${context}`),
      hint: problem.hint ? redact(problem.hint) : undefined,
    });
  };

  /** One attempt, cut short so that it ends by the call's deadline. */
  const attemptBefore = async (
    deadline: number,
    url: URL,
    init: RequestInit,
    req: HttpRequest,
  ): Promise<HttpResponse | Problem> => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return timeoutProblem(options.timeoutMs);
    return attemptOnce(url, init, Math.min(options.timeoutMs, remaining), options, req, redact);
  };

  /**
   * The error a call ends with; a server that never answered, or that kept asking to come
   * back later, is taken to be unresponsive for the rest of the run.
   */
  const giveUp = (req: HttpRequest, problem: Problem, attempts: number): SloError => {
    if (problem.timedOut) unresponsive ??= { timeoutMs: options.timeoutMs, attempts };
    if (problem.busyStatus !== undefined) unresponsive ??= { status: problem.busyStatus, attempts };
    return fail(req, problem, attempts);
  };

  /** Every attempt of one call and the waits between them, until an answer or giving up. */
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    const url = requestUrl(base.url, req);
    if (unresponsive) throw fail(req, unresponsiveProblem(unresponsive), 1);
    const init = requestInit(req, headers);
    const maxAttempts = req.retry === false ? 1 : retries + 1;
    // The clock starts when the request first leaves, not while it waits for a slot behind others.
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptBefore(deadline, url, init, req);
      if (!("problem" in outcome)) return outcome;
      const wait = waitBeforeRetry(outcome, attempt, backoff, maxRetryAfterMs);
      // Waiting past the deadline only to give up is a hang by another name.
      if (!outcome.retryable || attempt >= maxAttempts || Date.now() + wait >= deadline) {
        throw giveUp(req, outcome, attempt);
      }
      await sleep(wait, req.signal);
    }
  };

  // A call holds its slot through all of its attempts and the waits between them: a
  // struggling server gets no new calls while earlier ones retry, and a call once
  // started is finished before the next begins.
  const request = (req: HttpRequest): Promise<HttpResponse> => limit(() => send(req));

  return {
    displayUrl,
    request,
    redact,
    async requestJson(req) {
      const response = await request(req);
      try {
        return JSON.parse(response.text) as unknown;
      } catch {
        const type = response.headers.get("content-type") ?? "no content-type";
        throw fail(
          req,
          {
            problem: true,
            retryable: false,
            message: `malformed JSON in the response (HTTP ${response.status}, ${type}): ${excerpt(redact(response.text))}`,
            hint: "the url answered something other than the expected JSON API (a proxy or a login page?); check the url",
          },
          1,
        );
      }
    },
  };
}

/** A client for a url that cannot be used: every call fails with the same error, when it is made. */
function failingClient(
  options: HttpClientOptions,
  error: SloError,
  redact: (text: string) => string,
): HttpClient {
  const failure = new SloError({
    code: options.errorCode ?? "source",
    message: redact(`${options.label}: ${error.message}`),
    hint: error.hint,
  });
  return {
    displayUrl: redact(redactUrl(options.url)),
    redact,
    request: () => Promise.reject(failure),
    requestJson: () => Promise.reject(failure),
  };
}

// ---------------------------------------------------------------------------
// One attempt

/** Why a server is no longer asked, for the calls not sent. */
type Unresponsive = { timeoutMs: number; attempts: number } | { status: number; attempts: number };

interface Problem {
  problem: true;
  message: string;
  hint?: string | undefined;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  /** the attempt ran out of time: the server did not answer */
  timedOut?: boolean;
  /** the server answered "come back later" (429, 503, or any 5xx with Retry-After) */
  busyStatus?: number | undefined;
}

async function attemptOnce(
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  options: HttpClientOptions,
  req: HttpRequest,
  redact: (text: string) => string,
): Promise<HttpResponse | Problem> {
  const cancel = req.signal;
  if (cancel?.aborted) return cancelledProblem();
  // past MAX_TIMER_MS Node fires at once: a 30-day timeout must not time out instantly
  const timeout = AbortSignal.timeout(Math.min(timeoutMs, MAX_TIMER_MS));
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  try {
    const response = await fetchWithinOrigin(url, init, signal);
    if ("problem" in response) return response;
    // The body is read under the same signal: a server that stalls mid-body times out too.
    const text = await readCapped(response, options.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    if (typeof text !== "string") return text;
    if (response.ok || req.acceptStatus?.includes(response.status)) {
      return { status: response.status, headers: response.headers, text };
    }
    // Secrets out before the body is described or cut: a cut secret is no longer found.
    return statusProblem(response, redact(text), options);
  } catch (error) {
    if (cancel?.aborted) return cancelledProblem();
    if (timeout.aborted) return timeoutProblem(timeoutMs);
    return networkProblem(error, url);
  }
}

/**
 * The body as text, read as it streams and never past `maxBytes`: a huge
 * answer would otherwise be held whole, several times over, before failing.
 */
async function readCapped(response: Response, maxBytes: number): Promise<string | Problem> {
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  if (announced > maxBytes) {
    await response.body?.cancel();
    return tooLargeProblem(maxBytes, `the server announced ${announced} bytes`);
  }
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Cancelling the body aborts the request: the server stops sending.
      await reader.cancel();
      return tooLargeProblem(maxBytes, "stopped reading it");
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, size));
}

function tooLargeProblem(maxBytes: number, detail: string): Problem {
  return {
    problem: true,
    retryable: false,
    message: `the answer is larger than ${formatBytes(maxBytes)}, the most slo reads: ${detail}`,
    hint: "not retried, as it would be too big again: narrow the query (fewer series, a shorter step or range), or check that the url is the API's",
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * fetch, following redirects only within the origin asked. fetch would follow
 * one to another host too, dropping Authorization but sending every other
 * header (an API key, a tenant token) there, and return that host's answer
 * as if it were the server's; so a redirect to another origin ends the call.
 */
async function fetchWithinOrigin(
  url: URL,
  init: RequestInit,
  signal: AbortSignal,
): Promise<Response | Problem> {
  let current = url;
  let currentInit = init;
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(current, { ...currentInit, signal, redirect: "manual" });
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    // The redirect's own body is never used: free the connection.
    await response.body?.cancel();
    const next = parseLocation(location, current);
    if (!next || (next.protocol !== "http:" && next.protocol !== "https:")) {
      return badRedirectProblem(response.status, location);
    }
    if (originOf(next) !== originOf(current)) {
      return crossOriginProblem(response.status, current, next);
    }
    if (redirects >= MAX_SAME_ORIGIN_REDIRECTS) return tooManyRedirectsProblem(next);
    currentInit = redirectedInit(currentInit, response.status);
    current = next;
  }
}

function parseLocation(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** scheme://host:port, the port spelt out: http://h and https://h are two servers. */
function originOf(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.protocol}//${url.hostname}:${port}`;
}

/** As fetch does: 303, and 301/302 after a POST, turn into a GET without the body. */
function redirectedInit(init: RequestInit, status: number): RequestInit {
  const method = init.method ?? "GET";
  const toGet =
    status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST";
  if (!toGet) return init;
  const headers = { ...(init.headers as Record<string, string>) };
  delete headers["content-type"];
  return { ...init, method: "GET", headers, body: undefined };
}

function crossOriginProblem(status: number, from: URL, to: URL): Problem {
  return {
    problem: true,
    retryable: false,
    message: `HTTP ${status} redirects from ${originOf(from)} to another origin, ${originOf(to)}: slo does not follow it, so that no header or credential goes there`,
    hint: `if ${originOf(to)} is the server you mean, write it in the url: slo sends credentials only to the server its url names`,
  };
}

function tooManyRedirectsProblem(last: URL): Problem {
  return {
    problem: true,
    retryable: false,
    message: `more than ${MAX_SAME_ORIGIN_REDIRECTS} redirects (the last to ${redactUrl(last.toString())})`,
    hint: "the server redirects in a loop; write the url it finally answers at",
  };
}

function badRedirectProblem(status: number, location: string): Problem {
  return {
    problem: true,
    retryable: false,
    message: `HTTP ${status} redirects to ${JSON.stringify(redactUrl(location).slice(0, EXCERPT_CHARS))}, not an http(s) URL`,
  };
}

function cancelledProblem(): Problem {
  return { problem: true, retryable: false, message: "cancelled" };
}

function timeoutProblem(timeoutMs: number): Problem {
  return {
    problem: true,
    retryable: true,
    timedOut: true,
    message: `timed out after ${formatSeconds(timeoutMs)}`,
    hint: "the server did not answer in time; raise the source's timeout, or check the server's load",
  };
}

function unresponsiveProblem(earlier: Unresponsive): Problem {
  const attempts = earlier.attempts > 1 ? ` ${earlier.attempts} times` : "";
  if ("status" in earlier) {
    return {
      problem: true,
      retryable: false,
      message: `not sent: an earlier request was answered HTTP ${earlier.status} (come back later)${attempts}, so the server is taken to be unavailable for this run`,
      hint: "the server is overloaded or down for maintenance; try again later",
    };
  }
  return {
    problem: true,
    retryable: false,
    message: `not sent: an earlier request timed out after ${formatSeconds(earlier.timeoutMs)}${attempts}, so the server is taken to be unresponsive`,
    hint: "the server did not answer in time; raise the source's timeout, or check the server's load",
  };
}

function statusProblem(response: Response, body: string, options: HttpClientOptions): Problem {
  const { status } = response;
  const described = options.describeErrorBody?.(body);
  const text = `${status}${response.statusText ? ` ${response.statusText}` : ""}`;
  const message = `HTTP ${text}${body.trim() ? `: ${described ?? excerpt(body)}` : ""}`;
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(response.headers.get("retry-after")) : undefined;
  const busy = status === 429 || status === 503 || (retryable && retryAfterMs !== undefined);
  return {
    problem: true,
    retryable,
    message,
    hint: statusHint(status),
    retryAfterMs,
    busyStatus: busy ? status : undefined,
  };
}

function statusHint(status: number): string | undefined {
  if (status === 401 || status === 403) {
    return "check the credentials: headers, bearerToken or basicAuth (and the tenant, for multi-tenant servers)";
  }
  if (status === 404)
    return "check the url: it should be the server's base URL, without the /api/... path";
  if (status === 429 || status >= 500)
    return "the server is failing or overloaded; try again later";
  return undefined;
}

/** Connection-level failures that are worth a second try. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

function networkProblem(error: unknown, url: URL): Problem {
  const cause = causeOf(error);
  const code = cause?.code;
  const retryable = code !== undefined && TRANSIENT_CODES.has(code);
  switch (code) {
    case "ECONNREFUSED":
      return {
        problem: true,
        retryable,
        message: "connection refused",
        hint: "is the server running and listening at that address? check the source's url",
      };
    case "ECONNRESET":
    case "EPIPE":
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
      return {
        problem: true,
        retryable,
        message: "the server closed the connection before answering",
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return {
        problem: true,
        retryable,
        message: `host not found: ${url.hostname}`,
        hint: "check the host name in the source's url",
      };
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return { problem: true, retryable, message: "could not connect: timed out" };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { problem: true, retryable, message: "host unreachable" };
  }
  const detail = cause?.message ?? (error instanceof Error ? error.message : String(error));
  if (detail === "bad port") {
    return {
      problem: true,
      retryable: false,
      message: `port ${url.port} is blocked: Node.js's fetch never connects to it (use another port)`,
      hint: "serve the API on another port",
    };
  }
  if (
    code?.startsWith("ERR_TLS") ||
    code?.includes("CERT") ||
    /certificate|SSL|TLS/i.test(detail)
  ) {
    return {
      problem: true,
      retryable: false,
      message: `TLS error: ${detail}`,
      hint: "the server's certificate is not trusted here; NODE_EXTRA_CA_CERTS adds a CA",
    };
  }
  return { problem: true, retryable, message: `request failed: ${detail}` };
}

interface ErrorCause {
  code?: string | undefined;
  message: string;
}

/** fetch wraps the socket error in `cause`; happy-eyeballs wraps several in an AggregateError. */
function causeOf(error: unknown): ErrorCause | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (!(cause instanceof Error)) return undefined;
  const inner = cause instanceof AggregateError ? (cause.errors[0] as unknown) : cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  const message = inner instanceof Error ? inner.message : cause.message;
  return { code: typeof code === "string" ? code : undefined, message };
}

// ---------------------------------------------------------------------------
// Requests

interface BaseUrl {
  url: URL;
  userinfo?: { username: string; password: string } | undefined;
}

/** fetch refuses URLs with user:pass@, so they become basic auth instead. */
function parseBaseUrl(text: string): BaseUrl | SloError {
  let url: URL;
  try {
    url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
  } catch {
    return new SloError({
      code: "source",
      message: `not a valid http(s) URL: ${redactUrl(text)}`,
      hint: "write the server's base URL, e.g. http://prometheus:9090",
    });
  }
  const userinfo =
    url.username || url.password
      ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : undefined;
  url.username = "";
  url.password = "";
  return { url, userinfo };
}

/**
 * A URL split before its last path segment, for a client whose base is the
 * rest: the request then goes to exactly the URL given.
 */
export function splitLastSegment(url: string): { base: string; path: string } {
  try {
    const u = new URL(url);
    const cut = u.pathname.lastIndexOf("/");
    const path = u.pathname.slice(cut + 1);
    u.pathname = u.pathname.slice(0, cut) || "/";
    return { base: u.toString(), path };
  } catch {
    // createHttpClient reports the invalid URL when the request is made.
    return { base: url, path: "" };
  }
}

/** The base URL, the request's path and its query-string parameters. */
function requestUrl(base: URL, req: HttpRequest): URL {
  const url = joinUrl(base, req.path);
  for (const [name, value] of entriesOf(req.params)) url.searchParams.append(name, value);
  return url;
}

function joinUrl(base: URL, path: string): URL {
  const url = new URL(base.toString());
  url.pathname = `${base.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return url;
}

/** Explicit bearerToken / basicAuth win over an Authorization header and over user:pass@ in the url. */
function requestHeaders(
  options: HttpCredentials,
  userinfo: BaseUrl["userinfo"],
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": "slo",
  };
  for (const [name, value] of Object.entries(options.headers ?? {}))
    headers[name.toLowerCase()] = value;
  const basic = options.basicAuth ?? userinfo;
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  else if (basic) headers.authorization = `Basic ${basicToken(basic)}`;
  return headers;
}

function basicToken(auth: { username: string; password: string }): string {
  return Buffer.from(`${auth.username}:${auth.password}`).toString("base64");
}

function requestInit(req: HttpRequest, headers: Record<string, string>): RequestInit {
  const all = { ...headers };
  for (const [name, value] of Object.entries(req.headers ?? {})) all[name.toLowerCase()] = value;
  let body: string | undefined;
  if (req.form) {
    const form = new URLSearchParams();
    for (const [name, value] of entriesOf(req.form)) form.append(name, value);
    body = form.toString();
    all["content-type"] = "application/x-www-form-urlencoded";
  } else if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    all["content-type"] = "application/json";
  }
  return { method: req.method ?? (body === undefined ? "GET" : "POST"), headers: all, body };
}

function entriesOf(
  record: Record<string, string | readonly string[]> | undefined,
): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(record ?? {})) {
    if (typeof value === "string") out.push([name, value]);
    else for (const v of value) out.push([name, v]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Waiting

/** What the server asked for with Retry-After, within bounds; else the backoff. */
function waitBeforeRetry(
  problem: Problem,
  attempt: number,
  backoff: { initialMs: number; maxMs: number },
  maxRetryAfterMs: number,
): number {
  return problem.retryAfterMs !== undefined
    ? Math.min(problem.retryAfterMs, maxRetryAfterMs)
    : backoffDelay(attempt, backoff);
}

/** Full jitter over the upper half: spreads retries from many clients, never waits zero. */
function backoffDelay(attempt: number, backoff: { initialMs: number; maxMs: number }): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Waits `ms`, or less when `signal` aborts (the next attempt then sees it). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** At most `n` tasks at once; the rest wait in order. */
function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finished task hands its slot straight to the next one: no newcomer can slip in between.
  const next = () => {
    const wake = waiting.shift();
    if (wake) wake();
    else active--;
  };
  return async (task) => {
    if (active >= n) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      active++;
    }
    try {
      return await task();
    } finally {
      next();
    }
  };
}

// ---------------------------------------------------------------------------
// Redaction and wording

/** Query parameters whose values are credentials in practice. */
const SECRET_PARAM = /token|key|secret|pass|pwd|auth|sig|credential|session|jwt/i;
const REDACTED = "***";

/** The URL without user:pass@, and with credential-like query parameters masked. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = "";
    url.password = "";
    for (const name of [...new Set(url.searchParams.keys())]) {
      if (SECRET_PARAM.test(name)) url.searchParams.set(name, REDACTED);
    }
    return url.toString();
  } catch {
    return redactUrlsIn(text);
  }
}

/** URLs inside free text (error causes, bodies): the same treatment by pattern. */
function redactUrlsIn(text: string): string {
  return (
    text
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1")
      // A value ends at URL or sentence punctuation (percent-encoding hides it inside real values).
      .replace(/([?&][^=&#\s]*=)([^&#\s"'<>(),;:]*)/g, (whole, name: string, value: string) =>
        SECRET_PARAM.test(name) && value !== REDACTED ? `${name}${REDACTED}` : whole,
      )
  );
}

/**
 * `text` with every secret value removed, and any URL in it stripped of
 * credentials. Secrets shorter than 4 characters are left alone.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrlsIn(text);
  const sorted = [...new Set(secrets)]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  for (const secret of sorted) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * Every value that must never be printed: header values (and the credential
 * part of `Scheme credential`), the bearer token, the password, the basic
 * token, secrets in the url; each also as it looks percent-encoded.
 */
export function secretValues(options: HttpCredentials & { url?: string | undefined }): string[] {
  const values: string[] = [];
  for (const value of Object.values(options.headers ?? {})) {
    values.push(value);
    const scheme = /^\s*\S+\s+(\S.*)$/.exec(value);
    if (scheme?.[1]) values.push(scheme[1]);
  }
  if (options.bearerToken) values.push(options.bearerToken);
  if (options.basicAuth) {
    values.push(options.basicAuth.password, basicToken(options.basicAuth));
  }
  if (options.url) {
    try {
      const url = new URL(options.url);
      if (url.password) {
        const auth = {
          username: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
        };
        values.push(auth.password, url.password, basicToken(auth));
      }
      for (const [name, value] of url.searchParams) if (SECRET_PARAM.test(name)) values.push(value);
    } catch {
      // an invalid url is reported where it is parsed
    }
  }
  // as sent, percent-encoded in a URL, and JSON-escaped in a body that echoes it
  return values
    .flatMap((v) => [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)])
    .filter((v) => v !== "");
}

/** A short, single-line piece of a body for an error message. */
export function excerpt(body: string): string {
  const flat = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (flat === "") return "(empty body)";
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(s < 1 ? 2 : 1)}s`;
}
