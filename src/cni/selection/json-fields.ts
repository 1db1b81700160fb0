// Typed reads of decoded JSON values with Go's encoding/json leniency: `null` or a missing key is the
// zero value (here: undefined, or 0 for integers); any other JSON type than the field's fails. A failure
// is a FieldError naming the path (`ips[1]`, `portMappings[0].hostPort`); decoders catch it at their
// boundary and turn it into a result. Nothing outside src/cni/selection sees a FieldError.
import { isPlainObject, jsonTypeOf } from "./types.ts";

export class FieldError extends Error {
  override readonly name = "FieldError";
}

function got(value: unknown): string {
  return typeof value === "number" ? String(value) : jsonTypeOf(value);
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function optionalString(value: unknown, path: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== "string") throw new FieldError(`${path} must be a string, got ${jsonTypeOf(value)}`);
  return value;
}

export function optionalStrings(value: unknown, path: string): string[] | undefined {
  if (absent(value)) return undefined;
  if (!Array.isArray(value))
    throw new FieldError(`${path} must be an array of strings, got ${jsonTypeOf(value)}`);
  return value.map((item, i) => {
    if (typeof item !== "string")
      throw new FieldError(`${path}[${i}] must be a string, got ${jsonTypeOf(item)}`);
    return item;
  });
}

/** Go `int`: a JSON integer (JavaScript-safe), 0 when absent. */
export function integer(value: unknown, path: string): number {
  if (absent(value)) return 0;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new FieldError(`${path} must be an integer, got ${got(value)}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== "boolean") throw new FieldError(`${path} must be a boolean, got ${jsonTypeOf(value)}`);
  return value;
}

export function optionalObject(value: unknown, path: string): Record<string, unknown> | undefined {
  if (absent(value)) return undefined;
  if (!isPlainObject(value)) throw new FieldError(`${path} must be an object, got ${jsonTypeOf(value)}`);
  return value;
}

export function optionalArray(value: unknown, path: string): unknown[] | undefined {
  if (absent(value)) return undefined;
  if (!Array.isArray(value)) throw new FieldError(`${path} must be an array, got ${jsonTypeOf(value)}`);
  return value as unknown[];
}

/** Run `decode`, turning a FieldError into `prefix + its message`; other errors propagate. */
export function catchFieldError<T>(
  decode: () => T,
  prefix: string,
): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, message: `${prefix}${err.message}` };
    throw err;
  }
}
