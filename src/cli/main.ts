// The `netclaim` executable. Subcommands (kubelet-plugin, controller, cni, install-cni) register here
// as their parts land. `netclaim cni` is what the container runtime executes for every pod, so it is
// dispatched before anything else loads: no commander, no other part's modules.
import type { Command } from "commander";

const CNI_DESCRIPTION = "the CNI meta-plugin (CNI_* environment, config on stdin, result on stdout)";
const KUBELET_PLUGIN_DESCRIPTION = "the DRA kubelet plugin (node daemon); --help lists its flags";
const INSTALL_CNI_DESCRIPTION = "the host installer of the CNI plugin and its config; --help lists its flags";
const CONTROLLER_DESCRIPTION = "the cluster controller (one leader per cluster); --help lists its flags";
const EXPLAIN_DESCRIPTION = "explain a pod's networks: `explain pod NAMESPACE/NAME`; --help lists its flags";

/** Loads `netclaim kubelet-plugin` only when it runs, and hands it its arguments (--help included). */
async function runKubeletPlugin(_options: unknown, stub: Command): Promise<void> {
  // With the CNI server as a companion (src/node-daemon): the composition lives outside both parts.
  const { nodeDaemonCommand } = await import("../node-daemon/cni-companion.ts");
  await (await nodeDaemonCommand()).parseAsync(stub.args, { from: "user" });
}

/** Loads `netclaim install-cni` only when it runs, and hands it its arguments (--help included). */
async function runInstallCni(_options: unknown, stub: Command): Promise<void> {
  const { installCniCommand } = await import("../cni/install/main.ts");
  await installCniCommand().parseAsync(stub.args, { from: "user" });
}

/** Loads `netclaim controller` only when it runs, and hands it its arguments (--help included). */
async function runController(_options: unknown, stub: Command): Promise<void> {
  const { controllerCommand } = await import("../controller/main.ts");
  await controllerCommand().parseAsync(stub.args, { from: "user" });
}

/** Loads `netclaim explain` only when it runs, and hands it its arguments (--help included). */
async function runExplain(_options: unknown, stub: Command): Promise<void> {
  const { explainCommand } = await import("../explain/main.ts");
  await explainCommand().parseAsync(stub.args, { from: "user" });
}

async function runCniAndExit(): Promise<never> {
  const { main } = await import("../cni/main.ts");
  process.exit(await main());
}

export async function buildProgram(): Promise<Command> {
  // a JSON import, so that a bundle (the host shim, the image) carries the version in itself
  const [{ Command }, { default: pkg }] = await Promise.all([
    import("commander"),
    import("../../package.json", { with: { type: "json" } }),
  ]);
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
  program
    .command("install-cni")
    .description(INSTALL_CNI_DESCRIPTION)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(runInstallCni);
  program
    .command("controller")
    .description(CONTROLLER_DESCRIPTION)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(runController);
  program
    .command("explain")
    .description(EXPLAIN_DESCRIPTION)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(runExplain);
  return program;
}

if (process.argv[2] === "cni") await runCniAndExit();
else await (await buildProgram()).parseAsync(process.argv);
