// A netclaim container's settings as the CLI itself resolves them: the subcommand from `args[0]`, the
// other args parsed by commander with the subcommand's options (config-command.ts `addFlags`, so a flag
// the CLI does not have is an error), the environment as the kubelet builds it (`value`, downward-API
// `fieldRef`s from sample values, `$(VAR)` references in args expanded), and then `resolveCommandConfig`
// with the subcommand's flag table — the precedence, defaults and zod schemas of the real command. An
// environment variable that is no setting of the subcommand is an error too (a misspelt NETCLAIM_* would
// silently keep the default). The entry point is the image's: a container must not set `command`.
//
// Public API: `COMMAND_FLAGS`, `NetclaimCommand`, `ContainerLike`, `ResolvedContainer`, `resolveContainer`,
// `SAMPLE_FIELDS`.
import { Command } from "commander";
import { addFlags, resolveCommandConfig } from "../../../src/common/config-command.ts";
import { envNamesOf } from "../../../src/common/config.ts";
import type { FlagSpecs } from "../../../src/common/config.ts";
import { INSTALL_CNI_FLAGS } from "../../../src/cni/install/flags.ts";
import { CONTROLLER_FLAGS } from "../../../src/controller/main.ts";
import { KUBELET_PLUGIN_FLAGS } from "../../../src/kubelet-plugin/main.ts";

export const COMMAND_FLAGS = {
  "kubelet-plugin": KUBELET_PLUGIN_FLAGS,
  controller: CONTROLLER_FLAGS,
  "install-cni": INSTALL_CNI_FLAGS,
} as const satisfies Record<string, FlagSpecs>;

export type NetclaimCommand = keyof typeof COMMAND_FLAGS;

/** The container fields read here (kubernetes-models' IContainer has them all). */
export interface ContainerLike {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}

/** What the downward API gives the tests' containers. */
export const SAMPLE_FIELDS: Readonly<Record<string, string>> = {
  "spec.nodeName": "node-1",
  "metadata.namespace": "netclaim",
  "metadata.name": "netclaim-pod",
};

export type ResolvedContainer =
  | { ok: true; command: NetclaimCommand; config: Record<string, unknown>; env: Record<string, string> }
  | { ok: false; problems: string[] };

function isCommand(name: string | undefined): name is NetclaimCommand {
  return name !== undefined && Object.hasOwn(COMMAND_FLAGS, name);
}

function environmentOf(
  container: ContainerLike,
  fields: Readonly<Record<string, string>>,
  problems: string[],
) {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value;
    else if (entry.valueFrom?.fieldRef !== undefined) {
      const value = fields[entry.valueFrom.fieldRef.fieldPath];
      if (value === undefined)
        problems.push(`env ${entry.name}: no sample for ${entry.valueFrom.fieldRef.fieldPath}`);
      else env[entry.name] = value;
    } else problems.push(`env ${entry.name}: neither a value nor a fieldRef`);
  }
  return env;
}

/** The kubelet's $(VAR) expansion ($$ escapes a $; an unknown reference stays as written). */
function expand(arg: string, env: Readonly<Record<string, string>>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) =>
    name === undefined ? "$" : (env[name] ?? whole),
  );
}

function parseArgs(command: NetclaimCommand, args: readonly string[], problems: string[]): Command {
  const parsed = new Command(command)
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  addFlags(parsed, COMMAND_FLAGS[command]);
  try {
    parsed.parse([...args], { from: "user" });
  } catch (err) {
    problems.push(`args: ${(err as Error).message}`);
  }
  return parsed;
}

/** The container's resolved settings, or every problem found on the way. */
export function resolveContainer(
  container: ContainerLike,
  fields: Readonly<Record<string, string>> = SAMPLE_FIELDS,
): ResolvedContainer {
  const problems: string[] = [];
  if (container.command !== undefined)
    problems.push(`command is set (${container.command.join(" ")}): the entry point is the image's`);
  const [command, ...rest] = container.args ?? [];
  if (!isCommand(command))
    return {
      ok: false,
      problems: [...problems, `args[0] ${JSON.stringify(command)} is no netclaim command`],
    };
  const specs: FlagSpecs = COMMAND_FLAGS[command];
  const env = environmentOf(container, fields, problems);
  const known = new Set(Object.entries(specs).flatMap(([flag, spec]) => envNamesOf(flag, spec)));
  for (const name of Object.keys(env)) {
    if (!known.has(name)) problems.push(`env ${name} is no setting of netclaim ${command}`);
  }
  const parsed = parseArgs(
    command,
    rest.map((arg) => expand(arg, env)),
    problems,
  );
  const result = resolveCommandConfig(parsed, specs, env);
  if (!result.ok) problems.push(...result.errors);
  if (problems.length > 0 || !result.ok) return { ok: false, problems };
  return { ok: true, command, config: result.config, env };
}
