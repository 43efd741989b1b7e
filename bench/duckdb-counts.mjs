// DuckDB's side of the bench, in a process of its own so /usr/bin/time
// measures its wall time, CPU and peak RSS alone (bench/duckdb.ts writes the
// SQL). Usage: node bench/duckdb-counts.mjs THREADS SQL
// Prints {"row": the query's one row of BIGINT counts as numbers,
// "queryS": the query's own seconds, without the process's start}.
//
// It calls DuckDB's C API through @duckdb/node-bindings, loaded with
// require: @duckdb/node-api (the same DuckDB, the same bindings) takes about
// 0.3 s longer to load, as an ES module import of its 120 CommonJS files,
// which would be DuckDB's handicap, not its speed.
import { createRequire } from "node:module";

const duckdb = createRequire(import.meta.url)("@duckdb/node-bindings");

const [threads, sql] = process.argv.slice(2);
const config = duckdb.create_config();
duckdb.set_config(config, "threads", threads);
const connection = await duckdb.connect(await duckdb.open(":memory:", config));
const started = performance.now();
const result = await duckdb.query(connection, sql);
const queryS = (performance.now() - started) / 1000;
const chunk = duckdb.result_get_chunk(result, 0);
const row = {};
for (let c = 0; c < duckdb.column_count(result); c++) {
  if (duckdb.column_type(result, c) !== duckdb.Type.BIGINT) {
    throw new Error(`column ${duckdb.column_name(result, c)}: expected a BIGINT count`);
  }
  const data = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk, c), 8);
  row[duckdb.column_name(result, c)] = Number(
    new DataView(data.buffer, data.byteOffset, 8).getBigInt64(0, true),
  );
}
console.log(JSON.stringify({ row, queryS }));
