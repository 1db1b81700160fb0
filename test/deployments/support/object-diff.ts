// The differences between two renderings of an object, as "path: before -> after" lines. Lists whose
// entries all have a `name` (containers, volumes, volumeMounts, env) are keyed by it ("volumes[netns]"),
// so an entry moved within its list is no difference and one added or removed is one line.
//
// Public API: `objectDifferences`.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isNamedList(value: Json[]): value is { [key: string]: Json; name: string }[] {
  return value.every(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v) && typeof v["name"] === "string",
  );
}

function flatten(value: Json, path: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, "[]");
    const named = value.length > 0 && isNamedList(value);
    value.forEach((entry, i) => {
      const key = named ? (entry as { name: string }).name : String(i);
      flatten(entry, `${path}[${key}]`, out);
    });
    return;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(path, "{}");
    for (const [key, inner] of entries) flatten(inner, path === "" ? key : `${path}.${key}`, out);
    return;
  }
  out.set(path, JSON.stringify(value));
}

/** "path: a -> b" for each leaf that differs ("(absent)" where one side has none), sorted by path. */
export function objectDifferences(before: unknown, after: unknown): string[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before as Json, "", a);
  flatten(after as Json, "", b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => `${p}: ${a.get(p) ?? "(absent)"} -> ${b.get(p) ?? "(absent)"}`);
}
