// The `netclaim` executable. Subcommands (kubelet-plugin, controller, cni, install-cni) register here
// as their parts land. `netclaim cni` is what the container runtime executes for every pod, so it is
// dispatched before anything else loads: no commander, no other part's modules.
import type { Command } from "commander";

const CNI_DESCRIPTION = "the CNI meta-plugin (CNI_* environment, config on stdin, result on stdout)";
const KUBELET_PLUGIN_DESCRIPTION = "the DRA kubelet plugin (node daemon); --help lists its flags";

/** Loads `netclaim kubelet-plugin` only when it runs, and hands it its arguments (--help included). */
async function runKubeletPlugin(_options: unknown, stub: Command): Promise<void> {
  const { kubeletPluginCommand } = await import("../kubelet-plugin/main.ts");
  await kubeletPluginCommand().parseAsync(stub.args, { from: "user" });
}

async function runCniAndExit(): Promise<never> {
  const { main } = await import("../cni/main.ts");
  process.exit(await main());
}

export async function buildProgram(): Promise<Command> {
  const [{ Command }, { readFileSync }] = await Promise.all([import("commander"), import("node:fs")]);
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const program = new Command("netclaim")
    .description("Kubernetes network driver: DRA kubelet plugin, controller and CNI meta-plugin")
    .version(pkg.version, "-v, --version");
  program.command("cni").description(CNI_DESCRIPTION).action(runCniAndExit);
  program
    .command("kubelet-plugin")
    .description(KUBELET_PLUGIN_DESCRIPTION)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(runKubeletPlugin);
  return program;
}

if (process.argv[2] === "cni") await runCniAndExit();
else await (await buildProgram()).parseAsync(process.argv);
