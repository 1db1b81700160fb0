// Error helpers shared by every part: one readable line from a `cause` chain, and an error type carrying
// a stable `code` that boundaries (CNI results, gRPC statuses, exit codes) map from.
//
// Inside the code, errors carry context with `new Error("write CDI spec for claim ns/a", { cause })`;
// `errorMessage` turns such a chain into "write CDI spec for claim ns/a: open /x: EACCES".

/** Codes used by src/common. Later parts declare their own `as const` unions and use `CodedError<TheirCode>`. */
export const COMMON_ERROR_CODES = [
  "INVALID_ARGUMENT",
  "INVALID_CONFIG",
  "NOT_FOUND",
  "CORRUPT",
  "TIMEOUT",
  "ABORTED",
  "EXEC_NOT_FOUND",
  "EXEC_NOT_EXECUTABLE",
  "EXEC_OUTPUT_LIMIT",
  "INTERNAL",
] as const;

export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/** An error with a stable, machine-readable code. `C` is open: `CodedError<"CNI_DECODE" | CommonErrorCode>`. */
export class CodedError<C extends string = CommonErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CodedError";
    this.code = code;
  }
}

const MAX_CAUSE_DEPTH = 16;

interface IssueLike {
  path?: readonly PropertyKey[];
  message: string;
}

/** zod's error message is multi-line JSON; make it "path.to.field: message; ...". */
function issuesMessage(issues: readonly IssueLike[]): string {
  return issues
    .map((i) => {
      const path = (i.path ?? []).map(String).join(".");
      return path === "" ? i.message : `${path}: ${i.message}`;
    })
    .join("; ");
}

function isZodErrorLike(err: Error): err is Error & { issues: IssueLike[] } {
  return err.name === "ZodError" && Array.isArray((err as { issues?: unknown }).issues);
}

/** The message of one link of the chain, without its causes. */
function ownMessage(err: unknown): string {
  if (err instanceof Error) {
    if (isZodErrorLike(err)) return issuesMessage(err.issues);
    const base = err.message !== "" ? err.message : err.name;
    if (err instanceof AggregateError && err.errors.length > 0) {
      return `${base} [${err.errors.map((e) => errorMessage(e)).join("; ")}]`;
    }
    return base;
  }
  if (typeof err === "string") return err;
  if (typeof err !== "object" || err === null) return String(err);
  try {
    return JSON.stringify(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}

/**
 * One readable line for an error and its `cause` chain, outermost first, joined by ": ".
 * A link whose message already ends with its cause's text is not repeated.
 */
export function errorMessage(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH; depth++) {
    seen.add(current);
    const message = ownMessage(current);
    const previous = parts.at(-1);
    if (previous === undefined || !previous.endsWith(message)) parts.push(message);
    if (!(current instanceof Error) || current.cause === undefined || seen.has(current.cause)) break;
    current = current.cause;
  }
  return parts.join(": ");
}

/** The code of the first `CodedError` on the cause chain, or undefined. */
export function errorCodeOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current instanceof Error; depth++) {
    if (current instanceof CodedError) {
      const code: unknown = current.code;
      return typeof code === "string" ? code : undefined;
    }
    current = current.cause;
  }
  return undefined;
}

/** Whether `err` is a Node.js system error (fs, child_process) with the given errno code, e.g. "ENOENT". */
export function isSystemError(err: unknown, code: string): err is NodeJS.ErrnoException {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
