// The environment a delegate runs with, the way libcni builds it (pkg/invoke Args.AsEnv): the caller's
// whole environment (PATH and anything else a plugin may need), with the six CNI_* variables of this
// invocation set over whatever the caller had. Pure: the caller passes its environment in.
import type { DelegateCommand } from "./delegate-types.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface DelegateEnvInput {
  /** Inherited variables (production: process.env); entries whose value is undefined are dropped. */
  baseEnv: Env;
  command: DelegateCommand;
  containerID: string;
  netns: string;
  ifName: string;
  /** CNI_ARGS, passed on exactly as given. */
  cniArgs: string;
  /** The directories searched for plugins; CNI_PATH is them joined with ':'. */
  cniPath: readonly string[];
}

export function delegateEnv(input: DelegateEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.baseEnv)) {
    if (value !== undefined) env[key] = value;
  }
  env.CNI_COMMAND = input.command;
  env.CNI_CONTAINERID = input.containerID;
  env.CNI_NETNS = input.netns;
  env.CNI_ARGS = input.cniArgs;
  env.CNI_IFNAME = input.ifName;
  env.CNI_PATH = input.cniPath.join(":");
  return env;
}
