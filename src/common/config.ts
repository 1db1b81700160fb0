// Subcommand flags declared once, with zod schemas, resolved into a typed config object.
//
// Precedence for each flag: command-line flag > env NETCLAIM_<FLAG_IN_CAPS> > the flag's extra env aliases
// (in order) > its default. Every value arrives as a string (or `true` for a bare boolean flag) and goes
// through the flag's schema, defaults too, so "10s" means the same in a default, an env var and a flag.
// `resolveConfig` is pure: the environment is passed in. Commander wiring lives in config-command.ts;
// the string schemas (numbers, booleans, durations, paths) in config-schemas.ts.
import type { z } from "zod";

/** One flag. `schema` takes the raw string (undefined when unset and without default). */
export interface FlagSpec<S extends z.ZodType = z.ZodType> {
  schema: S;
  description: string;
  /** Raw default, parsed by `schema` like any other value and shown in --help. */
  default?: string;
  /** Extra environment variables read after NETCLAIM_<FLAG>, e.g. ["NODE_NAME"]. */
  envAliases?: readonly string[];
  /** Shown as "<redacted>" in the effective config and in error messages. */
  secret?: boolean;
  /** A boolean flag: `--flag` alone means true, `--flag=false` is accepted. */
  boolean?: boolean;
  /** Placeholder in --help, e.g. "path"; default "value". */
  valueName?: string;
}

/** Flags by kebab-case name (without the leading dashes). */
export type FlagSpecs = Record<string, FlagSpec>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The typed config: camelCase keys (as commander names them), each its schema's output. */
export type ConfigOf<S extends FlagSpecs> = {
  [K in keyof S & string as CamelCase<K>]: z.output<S[K]["schema"]>;
};

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a value came from, e.g. "flag --node-name", "env NODE_NAME", "default". */
export type ValueSource = `flag --${string}` | `env ${string}` | "default" | "unset";

export type ResolveResult<S extends FlagSpecs> =
  { ok: true; config: ConfigOf<S>; sources: Record<string, ValueSource> } | { ok: false; errors: string[] };

/** Identity helper that keeps the literal flag names for `ConfigOf`. */
export function defineFlags<S extends FlagSpecs>(specs: S): S {
  return specs;
}

export function camelCaseFlag(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `node-name` → `NETCLAIM_NODE_NAME`. */
export function envNameOf(flag: string): string {
  return `NETCLAIM_${flag.toUpperCase().replace(/-/g, "_")}`;
}

/** Every env var a flag reads, in precedence order. */
export function envNamesOf(flag: string, spec: FlagSpec): string[] {
  return [envNameOf(flag), ...(spec.envAliases ?? [])];
}

interface RawValue {
  raw: string | undefined;
  source: ValueSource;
}

/** The winning raw value of one flag. Empty env vars count as unset; an explicit empty flag does not. */
export function pickRawValue(flag: string, spec: FlagSpec, flagValue: unknown, env: Env): RawValue {
  if (flagValue === true) return { raw: "true", source: `flag --${flag}` };
  if (typeof flagValue === "string") return { raw: flagValue, source: `flag --${flag}` };
  if (flagValue !== undefined && flagValue !== false) {
    return { raw: JSON.stringify(flagValue), source: `flag --${flag}` };
  }
  for (const name of envNamesOf(flag, spec)) {
    const value = env[name];
    if (value !== undefined && value !== "") return { raw: value, source: `env ${name}` };
  }
  if (spec.default !== undefined) return { raw: spec.default, source: "default" };
  return { raw: undefined, source: "unset" };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join("; ");
}

function resolveOne(flag: string, spec: FlagSpec, picked: RawValue): { value: unknown } | { error: string } {
  const parsed = spec.schema.safeParse(picked.raw);
  if (parsed.success) return { value: parsed.data };
  if (picked.raw === undefined) {
    const where = [`--${flag}`, ...envNamesOf(flag, spec)].join(" or ");
    return { error: `--${flag} is required: set ${where}` };
  }
  const shown = spec.secret === true ? REDACTED_VALUE : JSON.stringify(picked.raw);
  return {
    error: `--${flag}: invalid value ${shown} from ${picked.source}: ${describeIssues(parsed.error)}`,
  };
}

/**
 * Resolves every flag of `specs`. `flagValues` is what commander parsed (`command.opts()`, camelCase keys);
 * `env` is the process environment, passed in. All errors are reported at once.
 */
export function resolveConfig<S extends FlagSpecs>(
  specs: S,
  flagValues: Readonly<Record<string, unknown>>,
  env: Env,
): ResolveResult<S> {
  const config: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  const errors: string[] = [];
  for (const [flag, spec] of Object.entries(specs)) {
    const key = camelCaseFlag(flag);
    const picked = pickRawValue(flag, spec, flagValues[key], env);
    const result = resolveOne(flag, spec, picked);
    if ("error" in result) {
      errors.push(result.error);
      continue;
    }
    config[key] = result.value;
    sources[key] = picked.source;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: config as ConfigOf<S>, sources };
}

export const REDACTED_VALUE = "<redacted>";

/**
 * The effective config for the start-up log, keyed by flag name, secret flags shown as "<redacted>" and
 * unset optional flags left out.
 */
export function renderEffectiveConfig<S extends FlagSpecs>(
  specs: S,
  config: ConfigOf<S>,
): Record<string, unknown> {
  const values = config as Record<string, unknown>;
  const rendered: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(specs)) {
    const value = values[camelCaseFlag(flag)];
    if (value === undefined) continue;
    rendered[flag] = spec.secret === true ? REDACTED_VALUE : value;
  }
  return rendered;
}
