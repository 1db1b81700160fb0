// The `-o json` form of an Explanation: the object itself (explanation.ts, documented in docs/explain.md),
// two-space indented, one trailing newline. Pure.
//
// Public API: `renderJson`.
import type { Explanation } from "./explanation.ts";

export function renderJson(explanation: Explanation): string {
  return `${JSON.stringify(explanation, null, 2)}\n`;
}
