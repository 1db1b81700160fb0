// `netclaim explain pod NAMESPACE/NAME [-o text|json] [--kubeconfig path] [--driver-name name]
// [--cni-config path]`: reads the pod's objects (reader.ts), explains them (explain-pod.ts) and prints
// the text or JSON form. Exit codes: 0 every network resolves, 1 something is missing (the explanation is
// printed all the same) or the pod does not exist / the API cannot be read (a message on stderr naming
// it), 2 a usage error. Flags are also read from NETCLAIM_<FLAG>. Without --kubeconfig: $KUBECONFIG, else
// ~/.kube/config when it exists, else the pod's service account (in-cluster). The heavy modules load
// only when the command runs (src/cli/main.ts imports this lazily).
//
// Public API: `EXPLAIN_FLAGS`, `ExplainConfig`, `EXIT_RESOLVED`, `EXIT_MISSING`, `EXIT_USAGE`,
// `parsePodArgument`, `explainKubeConfigSource`, `ExplainRun`, `runExplain`, `explainCommand`.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Command, Option } from "commander";
import type { CommanderError } from "commander";
import { z } from "zod";
import { addFlags, flagHelp, requireCommandConfig } from "../common/config-command.ts";
import { defineFlags } from "../common/config.ts";
import type { ConfigOf, Env } from "../common/config.ts";
import { errorMessage } from "../common/errors.ts";
import type { KubeConfigSource } from "../k8s/kube-config.ts";
import type { ExplainReadPorts, PodRef } from "./reader.ts";
import type { ExplainSettings } from "./snapshot.ts";

export const EXIT_RESOLVED = 0;
export const EXIT_MISSING = 1;
export const EXIT_USAGE = 2;

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export const EXPLAIN_FLAGS = defineFlags({
  output: {
    schema: z.enum(["text", "json"]),
    description: "text (for people) or json (for scripts; schemaVersion 1)",
    default: "text",
    valueName: "format",
  },
  kubeconfig: {
    schema: z.string().optional(),
    description: "kubeconfig file; unset: $KUBECONFIG, ~/.kube/config, else in-cluster",
    valueName: "path",
  },
  "driver-name": {
    schema: z.string().regex(DNS_SUBDOMAIN_RE, "expected a DNS subdomain").max(63),
    description: "the DRA driver whose devices the networks use",
    default: "netclaim.dev",
    valueName: "name",
  },
  "cni-config": {
    schema: z.string().optional(),
    description:
      "netclaim's CNI config as on the node (clusterNetwork, namespaceIsolation, ...); unset: Multus's defaults",
    valueName: "path",
  },
});

export type ExplainConfig = ConfigOf<typeof EXPLAIN_FLAGS>;

/** `NAMESPACE/NAME` → the pod, or a usage problem. */
export function parsePodArgument(text: string): PodRef | { problem: string } {
  const parts = text.split("/");
  const [namespace = "", name = ""] = parts;
  if (parts.length !== 2 || !NAME_RE.test(namespace) || !NAME_RE.test(name)) {
    return { problem: `expected NAMESPACE/NAME, got ${JSON.stringify(text)}` };
  }
  return { namespace, name };
}

/** Where the API credentials come from (see the header). `exists` is the entry point's file check. */
export function explainKubeConfigSource(
  flag: string | undefined,
  env: Env,
  home: string,
  exists: (path: string) => boolean,
): KubeConfigSource {
  if (flag !== undefined && flag !== "") return { kind: "file", path: flag };
  const fromEnv = (env.KUBECONFIG ?? "").split(":").find((p) => p !== "");
  if (fromEnv !== undefined) return { kind: "file", path: fromEnv };
  const personal = join(home, ".kube", "config");
  if (exists(personal) || env.KUBERNETES_SERVICE_HOST === undefined) return { kind: "file", path: personal };
  return { kind: "in-cluster", host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT };
}

export interface ExplainRun {
  ports: ExplainReadPorts;
  pod: PodRef;
  settings: ExplainSettings;
  output: ExplainConfig["output"];
  signal?: AbortSignal;
}

/** Reads, explains and renders; the text to print and the exit code. Throws when the read fails. */
export async function runExplain(run: ExplainRun): Promise<{ code: number; text: string }> {
  const [{ readSnapshot }, { explainPod }, { renderText }, { renderJson }] = await Promise.all([
    import("./reader.ts"),
    import("./explain-pod.ts"),
    import("./render-text.ts"),
    import("./render-json.ts"),
  ]);
  const snapshot = await readSnapshot(run.ports, run.pod, run.settings, run.signal);
  const explanation = explainPod(snapshot, run.settings);
  const text = run.output === "json" ? renderJson(explanation) : renderText(explanation);
  return { code: explanation.resolved ? EXIT_RESOLVED : EXIT_MISSING, text };
}

async function settingsOf(config: ExplainConfig): Promise<ExplainSettings> {
  const { settingsFrom } = await import("./snapshot.ts");
  if (config.cniConfig === undefined) return settingsFrom(config.driverName);
  const { parseNetConf } = await import("../api/netconf.ts");
  let text: string;
  try {
    text = readFileSync(config.cniConfig, "utf8");
  } catch (err) {
    throw new Error(`read --cni-config ${config.cniConfig}`, { cause: err });
  }
  return settingsFrom(config.driverName, parseNetConf(text), config.cniConfig);
}

async function portsOf(config: ExplainConfig, env: Env): Promise<ExplainReadPorts> {
  const [{ KubeClient }, { loadKubeConfig }, { RESOURCE_TYPES }] = await Promise.all([
    import("../k8s/client.ts"),
    import("../k8s/kube-config.ts"),
    import("../k8s/resource-path.ts"),
  ]);
  const source = explainKubeConfigSource(config.kubeconfig, env, homedir(), existsSync);
  const kube = new KubeClient({ kubeConfig: loadKubeConfig(source), component: "explain" });
  return {
    pods: kube.resource(RESOURCE_TYPES.pods),
    nads: kube.resource(RESOURCE_TYPES.networkAttachmentDefinitions),
    claims: kube.resource(RESOURCE_TYPES.resourceClaims),
    deviceClasses: kube.resource(RESOURCE_TYPES.deviceClasses),
    slices: kube.resource(RESOURCE_TYPES.resourceSlices),
  };
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

async function explainPodAction(command: Command, podArgument: string, env: Env): Promise<number> {
  let config: ExplainConfig;
  let pod: PodRef;
  try {
    config = requireCommandConfig(command, EXPLAIN_FLAGS, env);
    const parsed = parsePodArgument(podArgument);
    if ("problem" in parsed) throw new Error(parsed.problem);
    pod = parsed;
  } catch (err) {
    await write(process.stderr, `netclaim explain pod: ${errorMessage(err)}\n`);
    return EXIT_USAGE;
  }
  try {
    const settings = await settingsOf(config);
    const result = await runExplain({
      ports: await portsOf(config, env),
      pod,
      settings,
      output: config.output,
    });
    await write(process.stdout, result.text);
    return result.code;
  } catch (err) {
    await write(process.stderr, `netclaim explain pod ${pod.namespace}/${pod.name}: ${errorMessage(err)}\n`);
    return EXIT_MISSING;
  }
}

/** The `explain` command with its `pod` subcommand; exits the process when done. */
export function explainCommand(env: Env = process.env): Command {
  const explain = new Command("explain").description("explain how a pod's networks resolve, and why not");
  const pod = explain
    .command("pod")
    .description("each network of the pod: its NAD, claim, device, addresses, and what is missing")
    .argument("<pod>", "NAMESPACE/NAME");
  const { output, ...rest } = EXPLAIN_FLAGS;
  pod.addOption(new Option("-o, --output <format>", flagHelp("output", output)));
  addFlags(pod, rest);
  for (const command of [explain, pod]) {
    command.exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    });
  }
  pod.action(async (podArgument: string) => {
    process.exit(await explainPodAction(pod, podArgument, env));
  });
  return explain;
}
