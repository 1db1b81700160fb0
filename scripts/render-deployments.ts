// Renders deployments/install.yaml: the default overlay through `kubectl kustomize`, under a header naming
// its source, formatted by the repository's prettier settings (so `prettier --check .` accepts it as it is).
//
//   node scripts/render-deployments.ts           rewrite deployments/install.yaml
//   node scripts/render-deployments.ts --check   exit 1, naming the first difference, when the committed
//                                                file is not what the overlay renders
// KUBECTL names the kubectl to run (default: kubectl from PATH).
//
// Public API: `INSTALL_OVERLAY`, `INSTALL_FILE`, `kustomizeBuild`, `installYamlFrom`, `renderInstallYaml`,
// `firstDifference`.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const INSTALL_OVERLAY = "deployments/overlays/default";
export const INSTALL_FILE = "deployments/install.yaml";
const KUSTOMIZE_TIMEOUT_MS = 60_000;

/** `kubectl kustomize <dir>`'s output; throws with kubectl's message when it fails. */
export function kustomizeBuild(dir: string, kubectl = "kubectl"): string {
  const run = spawnSync(kubectl, ["kustomize", dir], { encoding: "utf8", timeout: KUSTOMIZE_TIMEOUT_MS });
  if (run.error !== undefined) throw new Error(`run ${kubectl} kustomize ${dir}`, { cause: run.error });
  if (run.status !== 0) throw new Error(`${kubectl} kustomize ${dir} failed: ${run.stderr.trim()}`);
  return run.stdout;
}

function header(version: string): string {
  return [
    `# netclaim ${version}: everything the default installation applies (kubectl apply -f this file).`,
    `# Rendered from ${INSTALL_OVERLAY} by \`npm run render:deployments\`; do not edit it: change the`,
    "# overlay or deployments/base and render again (a test fails while this file is stale).",
    "",
  ].join("\n");
}

/** The file's text from kustomize's output: the header, then the objects, formatted as `filepath` would be. */
export async function installYamlFrom(
  kustomized: string,
  version: string,
  filepath: string,
): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(`${header(version)}${kustomized}`, { ...options, filepath });
}

/** What deployments/install.yaml should hold, rendered now from the overlay under `root`. */
export async function renderInstallYaml(root: string = REPO_ROOT, kubectl = "kubectl"): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const kustomized = kustomizeBuild(join(root, INSTALL_OVERLAY), kubectl);
  return installYamlFrom(kustomized, `v${pkg.version}`, join(root, INSTALL_FILE));
}

/** "" when equal, else the first line that differs. */
export function firstDifference(want: string, have: string): string {
  const a = want.split("\n");
  const b = have.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}: want ${JSON.stringify(a[i] ?? "<eof>")}, have ${JSON.stringify(b[i] ?? "<eof>")}`;
    }
  }
  return "";
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fallback;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const kubectl = process.env["KUBECTL"] ?? "kubectl";
  const want = await renderInstallYaml(REPO_ROOT, kubectl);
  const target = join(REPO_ROOT, INSTALL_FILE);
  if (argv.includes("--check")) {
    const difference = firstDifference(want, readOr(target, ""));
    if (difference === "") {
      process.stdout.write(`${INSTALL_FILE} is up to date\n`);
      return 0;
    }
    process.stderr.write(`${INSTALL_FILE} is stale (run \`npm run render:deployments\`): ${difference}\n`);
    return 1;
  }
  writeFileSync(target, want);
  process.stdout.write(`wrote ${INSTALL_FILE} from ${INSTALL_OVERLAY}\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
