// zod schemas that turn a flag's raw string into a typed value: numbers, booleans, durations, paths.
// Plain `z.string()` and `z.enum([...])` work on raw strings as they are; append `.optional()` to any
// of these for a flag that may stay unset.
import { z } from "zod";

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number; refine it with `inner`, e.g. `zNumber(z.number().int().min(1))`. */
export function zNumber(inner: z.ZodNumber = z.number()) {
  return z
    .string()
    .trim()
    .regex(NUMBER_RE, "expected a number")
    .transform((s) => Number(s))
    .pipe(inner);
}

/** An integer, optionally bounded. */
export function zInteger(bounds: { min?: number; max?: number } = {}) {
  let inner = z.number().int("expected an integer");
  if (bounds.min !== undefined) inner = inner.min(bounds.min, `must be at least ${bounds.min}`);
  if (bounds.max !== undefined) inner = inner.max(bounds.max, `must be at most ${bounds.max}`);
  return zNumber(inner);
}

const TRUE_WORDS = new Set(["true", "1"]);
const FALSE_WORDS = new Set(["false", "0"]);

/** "true"/"1" → true, "false"/"0" → false (case-insensitive); anything else is an error. */
export function zBoolean() {
  return z
    .string()
    .trim()
    .transform((s, ctx) => {
      const word = s.toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      ctx.addIssue({ code: "custom", message: "expected true, false, 1 or 0" });
      return z.NEVER;
    });
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const DURATION_PART_RE = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;

/**
 * Parses a Go-style duration ("10s", "500ms", "1m30s", "1.5h", "0") into whole milliseconds (rounded).
 * Returns undefined for anything else, negative durations included.
 */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "") return undefined;
  DURATION_PART_RE.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = DURATION_PART_RE.exec(s); m !== null; m = DURATION_PART_RE.exec(s)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? Number.NaN);
    consumed = DURATION_PART_RE.lastIndex;
  }
  if (consumed !== s.length || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}

/** A duration in milliseconds, from "10s", "500ms", "1m30s", ... */
export function zDuration() {
  return z.string().transform((s, ctx) => {
    const ms = parseDurationMs(s);
    if (ms !== undefined) return ms;
    ctx.addIssue({ code: "custom", message: 'expected a duration such as "500ms", "10s" or "1m30s"' });
    return z.NEVER;
  });
}

/** A filesystem path: not empty, no NUL byte; `absolute` demands a leading "/". */
export function zPath(options: { absolute?: boolean } = {}) {
  let schema = z
    .string()
    .min(1, "expected a path")
    .refine((s) => !s.includes("\0"), "a path cannot contain a NUL byte");
  if (options.absolute === true)
    schema = schema.refine((s) => s.startsWith("/"), "expected an absolute path");
  return schema;
}

/** A listen address "host:port", ":port" or "[v6]:port"; port 0-65535. */
export function zListenAddress() {
  return z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]*):(\d{1,5})$/, "expected host:port")
    .refine((s) => {
      const port = Number(s.slice(s.lastIndexOf(":") + 1));
      return port <= 65535;
    }, "port must be at most 65535");
}
