// What an ES-module bundle for Node needs at its top: bundled CommonJS
// packages still call require() for Node's built-ins. Shared by the CLI and
// Action builds.
export const REQUIRE_SHIM = [
  'import { createRequire as __sloCreateRequire } from "node:module";',
  "const require = __sloCreateRequire(import.meta.url);",
];
