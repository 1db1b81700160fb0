// Builds the bundle that `netclaim install-cni` places on the host next to a Node runtime: an esbuild
// bundle of the CLI (src/cli/main.ts), ESM for Node 24, code-split so that the CLI's lazy imports stay lazy
// (`netclaim cni` VERSION loads the version table only; the kubelet plugin, gRPC and client-node load
// only when their commands run). Output, without source maps (the shipped copy):
//
//   dist/shim/netclaim.mjs        the entry
//   dist/shim/chunks/*.mjs        the lazily loaded parts (content-hashed names)
//   dist/shim/package.json        {"type":"module"}: no package.json lookup above the bundle
//   dist/shim/proto/**.proto      the kubelet's wire definitions, read at run time by @grpc/proto-loader
//                                 (src/k8s/kubelet-grpc.ts looks for proto/ next to the code, then up)
//
//   npm run build:shim                       → dist/shim/
//   node scripts/build-shim.ts --out <dir>   → <dir>
//
// `.mjs` everywhere, so Node never guesses a module format. CommonJS dependencies that `require` Node's
// built-ins get a `require` made with createRequire (a banner in every output file).
import { chmod, copyFile, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

export const SHIM_ENTRY_FILE = "netclaim.mjs";
export const SHIM_CHUNK_DIR = "chunks";
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_SHIM_OUT_DIR = join(REPO_ROOT, "dist", "shim");
const CLI_MAIN = join(REPO_ROOT, "src", "cli", "main.ts");

const REQUIRE_BANNER =
  "import { createRequire as __netclaimCreateRequire } from 'node:module'; " +
  "const require = __netclaimCreateRequire(import.meta.url);";

export interface BuiltShim {
  outDir: string;
  entry: string;
  /** Output files relative to outDir, with their sizes in bytes. */
  files: { path: string; bytes: number }[];
}

/** The .proto files of the repository's proto/ into `dir`, modes 0644. */
async function copyProtos(dir: string): Promise<{ path: string; bytes: number }[]> {
  const source = join(REPO_ROOT, "proto");
  const copied: { path: string; bytes: number }[] = [];
  for (const name of (await readdir(source, { recursive: true })).sort()) {
    if (!name.endsWith(".proto")) continue;
    const target = join(dir, name);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(source, name), target);
    await chmod(target, 0o644);
    copied.push({ path: `proto/${name}`, bytes: (await stat(target)).size });
  }
  return copied;
}

/** Bundles the CLI into `outDir` (emptied first). */
export async function buildShim(outDir: string = DEFAULT_SHIM_OUT_DIR): Promise<BuiltShim> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { netclaim: CLI_MAIN },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    chunkNames: `${SHIM_CHUNK_DIR}/[name]-[hash]`,
    sourcemap: false,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: "eof",
    metafile: true,
    logLevel: "warning",
    banner: { js: REQUIRE_BANNER },
  });
  await writeFile(join(outDir, "package.json"), `${JSON.stringify({ type: "module" })}\n`, { mode: 0o644 });
  const protos = await copyProtos(join(outDir, "proto"));
  const files = Object.entries(result.metafile.outputs).map(([path, out]) => ({
    path: path.startsWith(outDir) ? path.slice(outDir.length + 1) : path,
    bytes: out.bytes,
  }));
  files.push(...protos);
  return { outDir, entry: join(outDir, SHIM_ENTRY_FILE), files };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  const built = await buildShim(values.out ?? DEFAULT_SHIM_OUT_DIR);
  const total = built.files.reduce((sum, f) => sum + f.bytes, 0);
  process.stdout.write(
    `built ${built.entry} (${built.files.length} files, ${(total / 1024).toFixed(0)} KiB)\n`,
  );
}

if (import.meta.main) await main();
