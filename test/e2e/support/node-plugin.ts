// The node world's kubelet plugin over its lifetimes: start (spawn inside the fake host, then wait until
// the stand-in kubelet registered it, its ResourceSlices list every NIC of the devices config, and its CNI
// server answers /readyz), graceful stop, kill (as a crash), restart. Each process is recorded in the
// world's state file while it runs.
//
// Public API: `NodePlugin`, `NodePluginOptions`, `cniServerGet`.
import { request } from "node:http";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import type { FakeKubelet } from "../../harness/kubelet/fake-kubelet.ts";
import { DEFAULT_PATH_ENV } from "../../harness/runtime/index.ts";
import type { RuntimeHarness } from "../../harness/runtime/index.ts";
import type { LeftoverLog } from "./leftovers.ts";
import { pluginFlags } from "./node-paths.ts";
import type { NodePaths } from "./node-paths.ts";
import { PluginProcess } from "./plugin-process.ts";
import type { PluginExit } from "./plugin-process.ts";
import { DRIVER, NODE_NAME } from "./scenario.ts";
import type { DeviceResource } from "./scenario.ts";

const READY_TIMEOUT_MS = 30_000;

export interface NodePluginOptions {
  h: RuntimeHarness;
  api: FakeApiServer;
  kubelet: FakeKubelet;
  paths: NodePaths;
  resources: readonly DeviceResource[];
  leftovers: LeftoverLog;
  logLevel: string;
}

/** GET on the CNI server's socket: status and body (ECONNREFUSED/ENOENT reject). */
export function cniServerGet(socketPath: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent: false, timeout: 2_000 }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${path} on ${socketPath}: no answer`)));
    req.on("error", reject);
    req.end();
  });
}

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  proc: PluginProcess,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (await check()) return;
    if (!proc.running) throw new Error(`kubelet plugin exited before ${what}:\n${proc.render()}`);
    if (Date.now() > deadline) throw new Error(`kubelet plugin: no ${what} in time:\n${proc.render()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SliceShape {
  spec?: { nodeName?: string; driver?: string; devices?: { name: string }[] };
}

export class NodePlugin {
  /** Every process so far, the current one last. */
  readonly processes: PluginProcess[] = [];
  private readonly options: NodePluginOptions;

  constructor(options: NodePluginOptions) {
    this.options = options;
  }

  get current(): PluginProcess {
    const proc = this.processes.at(-1);
    if (proc === undefined) throw new Error("the kubelet plugin was never started");
    return proc;
  }

  get pid(): number {
    return this.current.pid;
  }

  get running(): boolean {
    return this.processes.at(-1)?.running ?? false;
  }

  /** The NIC device names the ResourceSlices of this node publish now. */
  publishedDevices(): string[] {
    const slices = this.options.api.listObjects({ group: "resource.k8s.io", resource: "resourceslices" });
    return (slices as SliceShape[])
      .filter((s) => s.spec?.nodeName === NODE_NAME && s.spec.driver === DRIVER)
      .flatMap((s) => (s.spec?.devices ?? []).map((d) => d.name))
      .sort();
  }

  /** Starts a plugin process and waits until it registered, published its NICs and serves CNI. */
  async start(): Promise<void> {
    if (this.running) throw new Error("the kubelet plugin is running already");
    const { h, kubelet, paths, leftovers } = this.options;
    const from = kubelet.watcher.events.entries.length;
    const proc = new PluginProcess({
      netns: h.host.netns,
      tools: h.netns.tools,
      flags: pluginFlags(paths, this.options.logLevel),
      logFile: paths.pluginLog,
      env: { PATH: DEFAULT_PATH_ENV },
    });
    this.processes.push(proc);
    await proc.start();
    await leftovers.addProcess(proc.pid, "netclaim kubelet-plugin");
    const registered = kubelet.watcher.events.waitFor(
      (e) => e.type === "registered" && e.driverName === DRIVER,
      { from, timeoutMs: READY_TIMEOUT_MS },
    );
    await Promise.race([
      registered,
      proc.exited.then((exit) => {
        throw new Error(
          `kubelet plugin exited (${JSON.stringify(exit)}) before registering:\n${proc.render()}`,
        );
      }),
    ]);
    const wanted = [...new Set(this.options.resources.flatMap((r) => r.nics))];
    await until(
      "ResourceSlices with every NIC",
      () => wanted.every((n) => this.publishedDevices().includes(n)),
      proc,
    );
    await until(
      "CNI server ready",
      () =>
        cniServerGet(paths.cniSocket, "/readyz").then(
          (r) => r.status === 200,
          () => false,
        ),
      proc,
    );
  }

  /** SIGTERM and wait (a graceful stop: sockets removed, checkpoint kept). */
  async stop(): Promise<PluginExit | undefined> {
    const proc = this.processes.at(-1);
    if (proc === undefined) return undefined;
    const exit = await proc.stop();
    await this.options.leftovers.removeProcess(proc.pid);
    return exit;
  }

  /** SIGKILL and wait (a crash: sockets stay behind). */
  async kill(): Promise<PluginExit | undefined> {
    const proc = this.processes.at(-1);
    if (proc === undefined) return undefined;
    const exit = await proc.kill();
    await this.options.leftovers.removeProcess(proc.pid);
    return exit;
  }

  async restart(how: "stop" | "kill" = "stop"): Promise<void> {
    if (how === "stop") await this.stop();
    else await this.kill();
    await this.start();
  }
}
