// Shared set-up for the runtime stand-in's own tests: a harness whose bin dir holds recording plugins.
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createRuntimeHarness, writeRecordingPlugins } from "../../harness/runtime/index.ts";
import type { RecordingPlugins, RuntimeHarness, RuntimeHarnessOptions } from "../../harness/runtime/index.ts";

export interface RecordingHarness {
  harness: RuntimeHarness;
  plugins: RecordingPlugins;
  binDir: string;
}

/** A harness whose CNI_PATH is [<tmp>/bin with recording plugins, ...extraBinDirs]. */
export async function recordingHarness(
  options: {
    names: readonly string[];
    supportedVersions?: readonly string[];
    extraBinDirs?: readonly string[];
  } & Omit<RuntimeHarnessOptions, "binDirs">,
): Promise<RecordingHarness> {
  let plugins: RecordingPlugins | undefined;
  const harness = await createRuntimeHarness({
    ...options,
    binDirs: async (tmpDir) => {
      const binDir = join(tmpDir, "bin");
      await mkdir(binDir);
      plugins = await writeRecordingPlugins({
        binDir,
        names: options.names,
        supportedVersions: options.supportedVersions,
      });
      return [binDir, ...(options.extraBinDirs ?? [])];
    },
  });
  if (plugins === undefined) throw new Error("recording plugins were not written");
  return { harness, plugins, binDir: plugins.binDir };
}

/** The id of a netns file as /proc/<pid>/ns/net names it ("net:[<inode>]"). */
export async function netnsId(path: string): Promise<string> {
  return `net:[${(await stat(path)).ino}]`;
}

export const POD = { namespace: "ns1", name: "pod1", uid: "6f1c2d9e-0000-4000-8000-000000000001" } as const;
