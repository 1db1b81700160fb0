// Plain JSON objects as delegate configs and results travel: what goes on a plugin's stdin and what it
// prints. Pure helpers only.

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A copy with the keys of every object sorted, at every depth. libcni re-marshals a plugin's config
 * from a Go map before it runs the plugin, so that is the byte form delegates have always received.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isJsonObject(value)) return value;
  // fromEntries makes own properties even of a "__proto__" key, as JSON.parse does.
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep(value[key])]),
  );
}

/** `text` cut to `max` characters, with how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** The last `max` characters of `text`. */
export function tail(text: string, max: number): string {
  return text.length <= max ? text : `...${text.slice(text.length - max)}`;
}
