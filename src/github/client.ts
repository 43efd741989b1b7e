/**
 * The Octokit client every reporter shares: retries on 5xx and network
 * errors, waits out rate limits, a timeout on every request, and the API URL
 * of the environment (GitHub Enterprise Server sets GITHUB_API_URL).
 */

import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import { DEFAULT_GITHUB_API } from "../defaults.js";
import { MAX_TIMER_MS } from "../limits.js";
import type { GitHubDeadline } from "./deadline.js";

const SloOctokit = Octokit.plugin(retry, throttling);
/** The reporters use the REST methods and pagination; the plugins work underneath. */
export type GitHubClient = Octokit;

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export interface ClientOptions {
  token: string;
  /** GITHUB_API_URL; https://api.github.com when unset */
  baseUrl?: string | undefined;
  log: Logger;
  /** per request, so a stalled connection cannot hang the job (default DEFAULT_GITHUB_API) */
  timeoutMs?: number;
  /** retries after a 5xx or a network error (default DEFAULT_GITHUB_API; waits 1 s, 4 s, 9 s) */
  retries?: number;
  /** the unit of the retry waits (default 1000 ms); tests shorten it */
  retryBaseMs?: number;
  /** rate-limit waits and spacing of writes (default on); tests of other things turn it off */
  throttle?: boolean;
  fetch?: typeof fetch;
  /** the run's reporting deadline: stops requests in flight, and rate-limit waits past it */
  deadline?: GitHubDeadline | undefined;
}

/** A rate limit is waited out twice; a third hit fails the request with GitHub's message. */
const RATE_LIMIT_RETRIES = 2;

export function createGitHubClient(options: ClientOptions): GitHubClient {
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = Math.min(options.timeoutMs ?? DEFAULT_GITHUB_API.timeoutMs, MAX_TIMER_MS);
  const baseMs = options.retryBaseMs ?? 1000;
  const { deadline } = options;
  // The deadline's signal caps each request's timeout at what is left of it.
  const fetchWithTimeout: typeof fetch = async (input, init) => {
    const signals = [AbortSignal.timeout(timeoutMs)];
    if (init?.signal) signals.push(init.signal);
    if (deadline) signals.push(deadline.signal);
    try {
      return await baseFetch(input, { ...init, signal: AbortSignal.any(signals) });
    } catch (error) {
      if (deadline?.passed) deadline.cut++;
      throw error;
    }
  };
  // A rate limit is waited out twice, and only when the wait ends before the
  // deadline; else the request fails and its caller says so, once.
  const waitOut = (kind: string, after: number, request: RequestInfo, count: number) => {
    const fits = !deadline || after * baseMs < deadline.remainingMs();
    if (count >= RATE_LIMIT_RETRIES || !fits) return false;
    options.log.warning(
      `GitHub ${kind} hit on ${request.method} ${request.url}; retrying in ${after} s`,
    );
    return true;
  };
  const client = new SloOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl || "https://api.github.com").replace(/\/+$/, ""),
    userAgent: "slo-action",
    request: { fetch: fetchWithTimeout },
    // Octokit's own debug and info lines are noise in a job log, and so are
    // its line per failed attempt: the caller explains the failure once.
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => options.log.warning(message),
      error: () => {},
    },
    retry: { retries: options.retries ?? DEFAULT_GITHUB_API.retries, retryAfterBaseValue: baseMs },
    throttle: {
      enabled: options.throttle ?? true,
      retryAfterBaseValue: baseMs,
      onRateLimit: (after: number, request: RequestInfo, _octokit: unknown, count: number) =>
        waitOut("rate limit", after, request, count),
      onSecondaryRateLimit: (
        after: number,
        request: RequestInfo,
        _octokit: unknown,
        count: number,
      ) => waitOut("secondary rate limit", after, request, count),
    },
  });
  // Octokit hands every request the same `request` options object, and the
  // retry and throttling plugins keep their retry count in it: without a copy
  // per request, the second request's first wait is the first's fifth (25 s,
  // not 1 s). Registered last, this hook runs first; every hook of a request
  // is handed the same options object, so the copy goes in there.
  client.hook.wrap("request", (request, requestOptions) => {
    requestOptions.request = { ...requestOptions.request, retryCount: 0 };
    return request(requestOptions);
  });
  return client;
}

interface RequestInfo {
  method: string;
  url: string;
}
