/** Writes schemas/*.json from the zod schemas. A test fails when they are stale. */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_FILES } from "../src/report/json-schemas.js";

for (const [name, build] of Object.entries(SCHEMA_FILES)) {
  const path = join(import.meta.dirname, "..", "schemas", name);
  writeFileSync(path, `${JSON.stringify(build(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
