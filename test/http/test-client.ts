/** What the HTTP client's tests share: a client with fast retries, and a call's rejection. */

import { expect } from "vitest";
import { SloError } from "../../src/errors.js";
import { createHttpClient, type HttpClientOptions } from "../../src/http/client.js";

/** Fast retries for tests; the bounds are what is under test, not the defaults. */
export function testClient(url: string, overrides: Partial<HttpClientOptions> = {}) {
  return createHttpClient({
    label: "prometheus source 'prom'",
    url,
    timeoutMs: 1000,
    retries: 2,
    backoff: { initialMs: 20, maxMs: 40 },
    ...overrides,
  });
}

/** The rejection of a call, which must be an SloError. */
export async function failure(promise: Promise<unknown>): Promise<SloError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SloError);
    return error as SloError;
  }
  throw new Error("expected the call to fail");
}
