/** schemas/ is generated from the zod schemas; this fails when someone forgets to regenerate. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_FILES } from "../../src/report/json-schemas.js";
import { ROOT } from "../support/cli.js";

describe("schemas/", () => {
  it.each(Object.keys(SCHEMA_FILES))("%s is up to date (npm run schemas)", (name) => {
    const committed = readFileSync(join(ROOT, "schemas", name), "utf8");
    const fresh = `${JSON.stringify(SCHEMA_FILES[name as keyof typeof SCHEMA_FILES](), null, 2)}\n`;
    expect(committed).toBe(fresh);
  });
});
