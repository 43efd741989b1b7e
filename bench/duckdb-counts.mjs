// DuckDB's side of the bench, in a process of its own so /usr/bin/time
// measures its wall time, CPU and peak RSS alone (bench/duckdb.ts writes the
// SQL). Usage: node bench/duckdb-counts.mjs THREADS SQL
// Prints the query's one row as JSON, its counts as plain numbers.
import { DuckDBInstance } from "@duckdb/node-api";

const [threads, sql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(":memory:", { threads });
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const [row] = reader.getRowObjectsJS();
console.log(
  JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]))),
);
