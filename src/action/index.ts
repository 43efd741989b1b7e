/** The Action's entry point (dist/index.js is bundled from here): everything else is in main.ts. */

import { run } from "./main.js";

await run();
