/** The JSON report, as the contract says: two-space indented, a newline at the end. */

import type { SloReport } from "./schema.js";

export function renderJson(report: SloReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
