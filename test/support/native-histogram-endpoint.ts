/**
 * A scrape target on 127.0.0.1 serving histograms in Prometheus' protobuf
 * exposition format (delimited io.prometheus.client.MetricFamily messages),
 * the only format in which Prometheus 2.42 ingests native histograms. The
 * messages are defined here from the public metrics.proto (client_model),
 * only the fields a histogram needs, with the same field numbers.
 *
 * Each family is a histogram of the observations the test made so far:
 * native ones as exponential buckets of a schema (a bucket of index i holds
 * (2^((i-1)/2^schema), 2^(i/2^schema)]), classic ones as cumulative `le`
 * buckets.
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import protobuf from "protobufjs";

const PROTO = `
syntax = "proto2";
package io.prometheus.client;

message LabelPair {
  optional string name = 1;
  optional string value = 2;
}

enum MetricType {
  COUNTER = 0;
  GAUGE = 1;
  SUMMARY = 2;
  UNTYPED = 3;
  HISTOGRAM = 4;
}

message Bucket {
  optional uint64 cumulative_count = 1;
  optional double upper_bound = 2;
}

message BucketSpan {
  optional sint32 offset = 1;
  optional uint32 length = 2;
}

message Histogram {
  optional uint64 sample_count = 1;
  optional double sample_sum = 2;
  repeated Bucket bucket = 3;
  optional sint32 schema = 5;
  optional double zero_threshold = 6;
  optional uint64 zero_count = 7;
  repeated BucketSpan positive_span = 12;
  repeated sint64 positive_delta = 13;
}

message Metric {
  repeated LabelPair label = 1;
  optional Histogram histogram = 7;
}

message MetricFamily {
  optional string name = 1;
  optional string help = 2;
  optional MetricType type = 3;
  repeated Metric metric = 4;
}
`;

const METRIC_FAMILY = protobuf.parse(PROTO).root.lookupType("io.prometheus.client.MetricFamily");
const HISTOGRAM_TYPE = 4;
/** The Go client's default width of the zero bucket: 2^-128. */
const ZERO_THRESHOLD = 2 ** -128;

export const PROTOBUF_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/** A histogram family: one series per label set, each with the observations made on it. */
export type HistogramFamily =
  | { kind: "native"; name: string; series: Record<string, string>[]; schema: number }
  | { kind: "classic"; name: string; series: Record<string, string>[]; bounds: number[] };

export interface HistogramEndpoint {
  url: string;
  /** the scrape target, host:port */
  target: string;
  /** how many times it was scraped so far */
  scrapes(): number;
  /** observations on the series of `family` whose labels are `labels` */
  observe(family: string, labels: Record<string, string>, values: readonly number[]): void;
  stop(): Promise<void>;
}

/** The index of the native bucket holding `value` (> the zero threshold) in `schema`. */
export function nativeBucketIndex(value: number, schema: number): number {
  return Math.ceil(Math.log2(value) * 2 ** schema);
}

/** The upper bound of the native bucket of index `index` in `schema`. */
export function nativeBucketUpper(index: number, schema: number): number {
  return 2 ** (index / 2 ** schema);
}

function nativeHistogram(values: readonly number[], schema: number) {
  const counts = new Map<number, number>();
  let zeroCount = 0;
  for (const v of values) {
    if (v <= ZERO_THRESHOLD) zeroCount++;
    else
      counts.set(nativeBucketIndex(v, schema), (counts.get(nativeBucketIndex(v, schema)) ?? 0) + 1);
  }
  const indices = [...counts.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousIndex: number | undefined;
  let previousCount = 0;
  for (const index of indices) {
    const last = spans[spans.length - 1];
    if (last && previousIndex !== undefined && index === previousIndex + 1) last.length++;
    else
      spans.push({
        offset: previousIndex === undefined ? index : index - previousIndex - 1,
        length: 1,
      });
    const count = counts.get(index)!;
    deltas.push(count - previousCount);
    previousCount = count;
    previousIndex = index;
  }
  return {
    sampleCount: values.length,
    sampleSum: values.reduce((a, b) => a + b, 0),
    schema,
    zeroThreshold: ZERO_THRESHOLD,
    zeroCount,
    // With no observation yet, a no-op span says "native" (else it reads as a classic histogram).
    positiveSpan: spans.length > 0 ? spans : [{ offset: 0, length: 0 }],
    positiveDelta: deltas,
  };
}

function classicHistogram(values: readonly number[], bounds: readonly number[]) {
  return {
    sampleCount: values.length,
    sampleSum: values.reduce((a, b) => a + b, 0),
    bucket: bounds.map((upperBound) => ({
      upperBound,
      cumulativeCount: values.filter((v) => v <= upperBound).length,
    })),
  };
}

function seriesKey(family: string, labels: Record<string, string>): string {
  return JSON.stringify([family, Object.entries(labels).sort()]);
}

function exposition(
  families: readonly HistogramFamily[],
  observed: ReadonlyMap<string, number[]>,
): Uint8Array {
  const messages = families.map((family) => {
    const metric = family.series.map((labels) => {
      const values = observed.get(seriesKey(family.name, labels)) ?? [];
      const label = Object.entries(labels).map(([name, value]) => ({ name, value }));
      const histogram =
        family.kind === "native"
          ? nativeHistogram(values, family.schema)
          : classicHistogram(values, family.bounds);
      return { label, histogram };
    });
    const message = METRIC_FAMILY.fromObject({
      name: family.name,
      help: `${family.kind} test histogram`,
      type: HISTOGRAM_TYPE,
      metric,
    });
    return METRIC_FAMILY.encodeDelimited(message).finish();
  });
  return Buffer.concat(messages);
}

/** Serves every family, each series holding all observations made on it so far. */
export async function startHistogramEndpoint(
  families: readonly HistogramFamily[],
): Promise<HistogramEndpoint> {
  const observed = new Map<string, number[]>();
  let scrapes = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    scrapes++;
    response.writeHead(200, { "content-type": PROTOBUF_CONTENT_TYPE });
    response.end(exposition(families, observed));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    target: `127.0.0.1:${port}`,
    scrapes: () => scrapes,
    observe: (family, labels, values) => {
      const key = seriesKey(family, labels);
      observed.set(key, [...(observed.get(key) ?? []), ...values]);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
