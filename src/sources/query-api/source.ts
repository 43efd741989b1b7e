/**
 * A source over a query API: one HTTP client built from the source's
 * settings, and each SLO counted on its own, so one that fails returns its
 * error and the others their counts.
 */

import type {
  Deploy,
  DeploySpec,
  LokiSourceSpec,
  PrometheusSourceSpec,
} from "../../definition/model.js";
import { toSloError } from "../../errors.js";
import { createHttpClient, type HttpClient, type HttpClientOptions } from "../../http/client.js";
import type { CountRequest, CountResult, Source } from "../types.js";
import { QueryApi, type QueryApiDialect } from "./client.js";

export type QueryApiSourceSpec = PrometheusSourceSpec | LokiSourceSpec;

export interface QueryApiSourceOptions {
  dialect: QueryApiDialect;
  describeErrorBody: HttpClientOptions["describeErrorBody"];
  /** how notes name the server, from the source's label and its printable url */
  where(label: string, displayUrl: string): string;
  /** headers every query carries */
  headers?: Record<string, string> | undefined;
  /** counts one SLO's request */
  count(api: QueryApi, request: CountRequest): Promise<CountResult>;
  /** the deploys a `deploys:` spec finds on this server */
  findDeploys?(
    api: QueryApi,
    deploys: DeploySpec,
    range: { startMs: number; endMs: number },
  ): Promise<Deploy[]>;
}

export function createQueryApiSource(
  spec: QueryApiSourceSpec,
  options: QueryApiSourceOptions,
): Source {
  const label = `${spec.type} source '${spec.name}'`;
  const client = clientForSource(spec, label, options.describeErrorBody);
  const server = {
    client,
    where: options.where(label, client.displayUrl),
    headers: options.headers,
  };
  const find = options.findDeploys;
  return {
    name: spec.name,
    type: spec.type,
    ...(find
      ? {
          async findDeploys(deploys, range) {
            const api = new QueryApi(server, options.dialect);
            try {
              return await find(api, deploys, range);
            } catch (error) {
              api.cancel();
              throw toSloError(error);
            }
          },
        }
      : {}),
    count(requests) {
      return Promise.all(
        requests.map(async (request) => {
          const api = new QueryApi(server, options.dialect);
          try {
            return await options.count(api, request);
          } catch (error) {
            // The SLO has its answer: stop its other queries rather than leave them running.
            api.cancel();
            return toSloError(error);
          }
        }),
      );
    },
  };
}

function clientForSource(
  spec: QueryApiSourceSpec,
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
