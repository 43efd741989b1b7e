/** JSON Schemas for schemas/, generated from the zod schemas so they cannot drift. */

import { z } from "zod";
import { sloFileSchema } from "../definition/schema.js";
import { reportSchema } from "./schema.js";

export function sloFileJsonSchema(): object {
  return {
    ...z.toJSONSchema(sloFileSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://slo.dev/schemas/slo.schema.json",
    title: "slo file",
  };
}

export function reportJsonSchema(): object {
  return {
    ...z.toJSONSchema(reportSchema, { io: "output", unrepresentable: "any" }),
    $id: "https://slo.dev/schemas/report.schema.json",
    title: "slo report",
  };
}

export const SCHEMA_FILES = {
  "slo.schema.json": sloFileJsonSchema,
  "report.schema.json": reportJsonSchema,
} as const;
