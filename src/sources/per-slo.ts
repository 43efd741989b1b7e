/**
 * What the HTTP sources share: one client built from the source's settings,
 * and counting each SLO on its own, so one that fails returns its error and
 * the others their counts.
 */

import type { HttpAuth } from "../definition/model.js";
import { type SloError, toSloError } from "../errors.js";
import { createHttpClient, type HttpClient, type HttpClientOptions } from "../http/client.js";
import type { CountRequest, CountResult } from "./types.js";

export function clientForSource(
  spec: HttpAuth & { url: string; timeoutMs: number; retries: number },
  label: string,
  describeErrorBody: HttpClientOptions["describeErrorBody"],
): HttpClient {
  return createHttpClient({
    label,
    url: spec.url,
    headers: spec.headers,
    bearerToken: spec.bearerToken,
    basicAuth: spec.basicAuth,
    timeoutMs: spec.timeoutMs,
    retries: spec.retries,
    describeErrorBody,
  });
}

export function countEachSlo<Api extends { cancel(): void }>(
  requests: CountRequest[],
  makeApi: () => Api,
  count: (api: Api, request: CountRequest) => Promise<CountResult>,
): Promise<(CountResult | SloError)[]> {
  return Promise.all(
    requests.map(async (request) => {
      const api = makeApi();
      try {
        return await count(api, request);
      } catch (error) {
        // The SLO has its answer: stop its other queries rather than leave them running.
        api.cancel();
        return toSloError(error);
      }
    }),
  );
}
