// The `netclaim` executable. Subcommands (kubelet-plugin, controller, cni, install-cni) register here
// as their parts land.
import { Command } from "commander";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export function buildProgram(): Command {
  return new Command("netclaim")
    .description("Kubernetes network driver: DRA kubelet plugin, controller and CNI meta-plugin")
    .version(pkg.version, "-v, --version");
}

await buildProgram().parseAsync(process.argv);
