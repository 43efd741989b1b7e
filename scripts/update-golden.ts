/**
 * Rewrites the expected files of test/golden from what `slo rules` and
 * `slo convert` write today (the cases are in test/golden/cases.ts). Review
 * the diff before committing it: a golden file changes only when the output does.
 */

import { goldenCases, writeExpected } from "../test/golden/cases.js";

let unchanged = 0;
for (const c of goldenCases()) {
  if (await writeExpected(c, await c.render())) console.log(`wrote ${c.expected}`);
  else unchanged++;
}
console.log(`${unchanged} golden files unchanged`);
