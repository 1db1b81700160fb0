// Wires a flag spec (config.ts) into a commander Command: one option per flag, with the env vars and the
// default in its help text. Commander gets no defaults and no env support of its own, so that the
// precedence stays in one place (`resolveConfig`).
import { Option } from "commander";
import type { Command } from "commander";
import { CodedError } from "./errors.ts";
import { envNamesOf, resolveConfig } from "./config.ts";
import type { ConfigOf, Env, FlagSpec, FlagSpecs, ResolveResult } from "./config.ts";

/** The help line of one flag: description, then env vars and default. */
export function flagHelp(flag: string, spec: FlagSpec): string {
  const notes = [`env: ${envNamesOf(flag, spec).join(", ")}`];
  if (spec.default !== undefined) notes.push(`default: ${JSON.stringify(spec.default)}`);
  return `${spec.description} (${notes.join("; ")})`;
}

/** Adds one option per flag to `command` and returns it. */
export function addFlags(command: Command, specs: FlagSpecs): Command {
  for (const [flag, spec] of Object.entries(specs)) {
    const value = spec.boolean === true ? "[bool]" : `<${spec.valueName ?? "value"}>`;
    command.addOption(new Option(`--${flag} ${value}`, flagHelp(flag, spec)));
  }
  return command;
}

/** Resolves the config of a command whose options were added with `addFlags`, after parsing. */
export function resolveCommandConfig<S extends FlagSpecs>(
  command: Command,
  specs: S,
  env: Env,
): ResolveResult<S> {
  return resolveConfig(specs, command.opts(), env);
}

/** Like `resolveCommandConfig`, but throws one INVALID_CONFIG error listing every problem. */
export function requireCommandConfig<S extends FlagSpecs>(command: Command, specs: S, env: Env): ConfigOf<S> {
  const result = resolveCommandConfig(command, specs, env);
  if (result.ok) return result.config;
  throw new CodedError(
    "INVALID_CONFIG",
    `invalid configuration of ${command.name()}:\n  ${result.errors.join("\n  ")}`,
  );
}
