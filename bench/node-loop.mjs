// The plain-Node baseline: readline + JSON.parse over every line, counting
// what the bench's SLO file counts. Usage: node bench/node-loop.mjs START END FILE...
// (START, END: the window (START, END] as RFC 3339 text with nanoseconds,
// compared as strings, which orders them correctly in this fixed format).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

const [start, end, ...files] = process.argv.slice(2);
const counts = { availabilityTotal: 0, availabilityBad: 0, latencyTotal: 0, latencyGood: 0 };
for (const file of files) {
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    const r = JSON.parse(line);
    if (!(r.t > start && r.t <= end) || r.msg !== "brkr-somesystem-http-response") continue;
    counts.latencyTotal++;
    if (r.duration <= 300) counts.latencyGood++;
    if (r.action === "CheckBalance") {
      counts.availabilityTotal++;
      if (r.status >= 500) counts.availabilityBad++;
    }
  }
}
console.log(JSON.stringify(counts));
