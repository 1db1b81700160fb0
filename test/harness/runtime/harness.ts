// One call that sets up the whole stand-in: a run prefix, a temp dir (libcni cache, IPAM data, recording
// plugins), a fake host netns with veth uplinks, and a FakeRuntime whose plugins run in that host.
// Everything is undone by dispose() (tests: afterEach/afterAll, or `await using`), also after a failure
// half-way through creating it.
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeFlavor } from "./capability-args.ts";
import { Cleanup, sweepLeftovers } from "./cleanup.ts";
import type { SweepReport } from "./cleanup.ts";
import type { Exec } from "../../../src/common/exec.ts";
import { ProcessExec } from "../../../src/common/exec.ts";
import { createFakeHost } from "./fake-host.ts";
import type { FakeHost } from "./fake-host.ts";
import { newRunPrefix } from "./names.ts";
import { createNetnsManager, DEFAULT_NETNS_DIR } from "./netns.ts";
import type { NetnsManager } from "./netns.ts";
import type { PluginRunEvent } from "./plugin-invoker.ts";
import { FakeRuntime } from "./runtime.ts";

export interface RuntimeHarnessOptions {
  /**
   * CNI_PATH for the runtime; or a function that makes the bin dirs inside the run's temp dir (for
   * plugins written by the test) and returns them.
   */
  binDirs: readonly string[] | ((tmpDir: string) => Promise<readonly string[]>);
  uplinks?: readonly string[];
  withSwitch?: boolean;
  /** Directory for pod netns (CNI_NETNS); default /run/netns. */
  podNetnsDir?: string;
  flavor?: RuntimeFlavor;
  baseEnv?: Readonly<Record<string, string>>;
  pluginTimeoutMs?: number;
  onPluginRun?: (event: PluginRunEvent) => void;
  exec?: Exec;
  /** Parent of the run's temp dir (default the OS temp dir). */
  tmpRoot?: string;
  /** Remove leftovers of dead runs first (default true). */
  sweep?: boolean;
}

export interface RuntimeHarness extends AsyncDisposable {
  readonly runPrefix: string;
  readonly tmpDir: string;
  readonly exec: Exec;
  /** Manager for the fake host and switch netns (iproute2's directory). */
  readonly netns: NetnsManager;
  /** Manager for pod netns (may be a different directory). */
  readonly podNetns: NetnsManager;
  readonly host: FakeHost;
  readonly runtime: FakeRuntime;
  readonly cleanup: Cleanup;
  readonly swept: SweepReport;
  /** A fresh directory under the run's temp dir. */
  makeDir(name: string): Promise<string>;
  dispose(): Promise<void>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Managers {
  netns: NetnsManager;
  podNetns: NetnsManager;
}

/** The host-side manager (iproute2's dir) and the pod one (maybe a custom dir, made if missing). */
async function makeManagers(exec: Exec, podNetnsDir: string, cleanup: Cleanup): Promise<Managers> {
  const netns = await createNetnsManager({ exec });
  if (podNetnsDir === DEFAULT_NETNS_DIR) return { netns, podNetns: netns };
  if (!(await exists(podNetnsDir))) {
    await mkdir(podNetnsDir, { recursive: true });
    cleanup.add(`dir ${podNetnsDir}`, () => rm(podNetnsDir, { recursive: true, force: true }));
  }
  return { netns, podNetns: await createNetnsManager({ exec, netnsDir: podNetnsDir }) };
}

async function sweep(managers: Managers, tmpRoot: string | undefined): Promise<SweepReport> {
  const report = await sweepLeftovers({ netns: managers.netns, tmpDir: tmpRoot });
  if (managers.podNetns !== managers.netns) {
    report.netns.push(...(await sweepLeftovers({ netns: managers.podNetns, tmpDir: false })).netns);
  }
  return report;
}

async function build(options: RuntimeHarnessOptions, exec: Exec, cleanup: Cleanup, runPrefix: string) {
  const managers = await makeManagers(exec, options.podNetnsDir ?? DEFAULT_NETNS_DIR, cleanup);
  const swept = options.sweep === false ? { netns: [], tmpDirs: [] } : await sweep(managers, options.tmpRoot);
  const tmpDir = await mkdtemp(join(options.tmpRoot ?? tmpdir(), `${runPrefix}-`));
  cleanup.add(`dir ${tmpDir}`, () => rm(tmpDir, { recursive: true, force: true }));
  const host = await createFakeHost({
    netns: managers.netns,
    cleanup,
    runPrefix,
    uplinks: options.uplinks,
    withSwitch: options.withSwitch,
  });
  const binDirs = typeof options.binDirs === "function" ? await options.binDirs(tmpDir) : options.binDirs;
  const runtime = new FakeRuntime({
    exec,
    netns: managers.podNetns,
    hostNetns: host.netns,
    binDirs,
    cacheDir: join(tmpDir, "cni-cache"),
    cleanup,
    runPrefix,
    flavor: options.flavor,
    baseEnv: options.baseEnv,
    pluginTimeoutMs: options.pluginTimeoutMs,
    onPluginRun: options.onPluginRun,
  });
  return { ...managers, swept, tmpDir, host, runtime };
}

export async function createRuntimeHarness(options: RuntimeHarnessOptions): Promise<RuntimeHarness> {
  const exec = options.exec ?? new ProcessExec();
  const cleanup = new Cleanup();
  const runPrefix = newRunPrefix();
  try {
    const parts = await build(options, exec, cleanup, runPrefix);
    const makeDir = async (name: string): Promise<string> => {
      const dir = join(parts.tmpDir, name);
      await mkdir(dir, { recursive: true });
      return dir;
    };
    const dispose = () => cleanup.run();
    return { ...parts, runPrefix, exec, cleanup, makeDir, dispose, [Symbol.asyncDispose]: dispose };
  } catch (err) {
    const cleanupError = await cleanup.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    const cause =
      cleanupError === undefined ? err : new AggregateError([err, cleanupError], "and cleanup failed");
    throw new Error(`create runtime harness ${runPrefix}`, { cause });
  }
}
