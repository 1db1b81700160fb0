// The world `netclaim kubelet-plugin` runs in for the harness tests: a temp root holding the
// kubelet's directories, a CDI dir, a state dir and a sysfs fixture (an Intel PF with 8 VFs, VFs 6-7
// on vfio-pci) with a stand-in kernel that performs driver rebinds; the stand-in API server with
// this node and its claims; the stand-in kubelet; and the plugin itself as a child process
// (`node src/cli/main.ts kubelet-plugin ...`) whose JSON log lines are kept.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import { FakeApiServer } from "../../harness/api-server/index.ts";
import type { KubeObject } from "../../harness/api-server/index.ts";
import { FakeKubelet, kubeletDirs } from "../../harness/kubelet/fake-kubelet.ts";
import type { StandInPod } from "../../harness/kubelet/types.ts";
import { FakePciKernel } from "../../fakes/sysfs-pci-kernel.ts";
import { removeSysfsRoot } from "../../fixtures/sysfs/build.ts";
import { buildScenario } from "../../fixtures/sysfs/scenarios.ts";

export const DRIVER = "netclaim.dev";
export const NODE = "node-a";
export const CLI = new URL("../../../src/cli/main.ts", import.meta.url).pathname;

const DEVICES_CONFIG = `apiVersion: netclaim.dev/v1alpha1
kind: DeviceConfig
resources:
  - resourceName: sf-pool-1
    kind: sriov-vf
    selectors:
      pfNames: [ens1f0]
`;

export const vfAddress = (index: number): string => `0000:03:02.${index}`;
export const vfDevice = (index: number): string => `pci-0000-03-02-${index}`;

export interface PluginProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class PluginWorld {
  root = "";
  sysfs = "";
  api = new FakeApiServer();
  kubelet!: FakeKubelet;
  kernel!: FakePciKernel;
  plugin: PluginProcess | undefined;
  metricsPort = 0;

  get dirs() {
    return {
      ...kubeletDirs(join(this.root, "kubelet")),
      cdi: join(this.root, "cdi"),
      state: join(this.root, "state"),
    };
  }

  get checkpointPath(): string {
    return join(this.dirs.state, "checkpoint.json");
  }

  async setUp(): Promise<void> {
    this.root = await mkdtemp(join(tmpdir(), "netclaim-plugin-"));
    this.sysfs = await buildScenario("pf-8-vfs-mixed");
    const defaults = new Map([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [vfAddress(i), "iavf"]));
    this.kernel = new FakePciKernel(this.sysfs, defaults);
    await this.kernel.start();
    await writeFile(join(this.root, "devices.yaml"), DEVICES_CONFIG);
    await this.api.start();
    await this.api.writeKubeconfig(join(this.root, "kubeconfig"));
    this.api.seed({ apiVersion: "v1", kind: "Node", metadata: { name: NODE } });
    await this.startKubelet();
  }

  async tearDown(): Promise<void> {
    if (this.plugin !== undefined && this.plugin.child.exitCode === null) this.plugin.child.kill("SIGKILL");
    await this.plugin?.exited;
    await this.kubelet.stop();
    await this.kernel.stop();
    await this.api.stop();
    await removeSysfsRoot(this.sysfs);
    await rm(this.root, { recursive: true, force: true });
  }

  async startKubelet(): Promise<void> {
    const dirs = this.dirs;
    await mkdir(dirs.registrationDir, { recursive: true });
    this.kubelet = new FakeKubelet({
      registrationDir: dirs.registrationDir,
      podResourcesSocket: dirs.podResourcesSocket,
      pingIntervalMs: 0,
      retry: { maxAttempts: 1 },
    });
    await this.kubelet.start();
  }

  /** Starts the plugin and waits until the kubelet registered it. */
  async startPlugin(extra: string[] = [], logLevel = "debug"): Promise<PluginProcess> {
    const from = this.kubelet.watcher.events.entries.length;
    const dirs = this.dirs;
    const args = [
      CLI,
      "kubelet-plugin",
      `--node-name=${NODE}`,
      `--kubeconfig=${join(this.root, "kubeconfig")}`,
      `--kubelet-registration-dir=${dirs.registrationDir}`,
      `--kubelet-plugins-dir=${dirs.pluginsDir}`,
      `--cdi-dir=${dirs.cdi}`,
      `--state-dir=${dirs.state}`,
      `--sysfs-root=${this.sysfs}`,
      `--devices-config=${join(this.root, "devices.yaml")}`,
      `--cni-socket=${join(this.root, "cni", "cni.sock")}`,
      `--log-level=${logLevel}`,
      ...extra,
    ];
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_NAME: "" },
    });
    const lines: Record<string, unknown>[] = [];
    let buffered = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) lines.push(parseLine(part));
    });
    child.stdout.resume();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    this.plugin = { child, lines, exited };
    await Promise.race([
      this.kubelet.watcher.events.waitFor((e) => e.type === "registered", { from, timeoutMs: 20_000 }),
      exited.then(({ code }) => {
        throw new Error(`plugin exited with ${code} before registering:\n${render(lines)}`);
      }),
    ]);
    return this.plugin;
  }

  /** SIGKILLs the plugin (sockets stay behind, as after a crash). */
  async killPlugin(): Promise<void> {
    this.plugin?.child.kill("SIGKILL");
    await this.plugin?.exited;
  }

  /** Waits for a log line of the plugin. */
  async logLine(
    match: (line: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>> {
    let found: Record<string, unknown> | undefined;
    await vi.waitFor(
      () => {
        found = this.plugin?.lines.find(match);
        if (found === undefined) throw new Error(`no log line: ${what}`);
      },
      { timeout: 15_000, interval: 20 },
    );
    return found!;
  }

  /** A claim allocated to this node's VFs (request → VF index), reserved for `podUid`. */
  seedClaim(spec: {
    name: string;
    uid?: string;
    vfs: Record<string, number>;
    config?: Record<string, unknown>;
    podUid: string;
  }): KubeObject {
    const config =
      spec.config === undefined
        ? []
        : [
            {
              source: "FromClaim",
              requests: [],
              opaque: {
                driver: DRIVER,
                parameters: {
                  apiVersion: "netclaim.dev/v1alpha1",
                  kind: "NetworkDeviceConfig",
                  ...spec.config,
                },
              },
            },
          ];
    const results = Object.entries(spec.vfs).map(([request, vf]) => ({
      request,
      driver: DRIVER,
      pool: NODE,
      device: vfDevice(vf),
    }));
    const claim = this.api.seed({
      apiVersion: "resource.k8s.io/v1",
      kind: "ResourceClaim",
      metadata: {
        namespace: "default",
        name: spec.name,
        ...(spec.uid === undefined ? {} : { uid: spec.uid }),
      },
      spec: {
        devices: {
          requests: Object.keys(spec.vfs).map((name) => ({
            name,
            exactly: { deviceClassName: "sf-pool-1" },
          })),
        },
      },
      status: {
        allocation: { devices: { results, config } },
        reservedFor: [{ resource: "pods", name: `pod-${spec.podUid}`, uid: spec.podUid }],
      },
    });
    return claim;
  }

  /** A pod of the stand-in kubelet using the given claims (all of driver netclaim.dev). */
  pod(uid: string, claims: KubeObject[]): StandInPod {
    return {
      uid,
      namespace: "default",
      name: `pod-${uid}`,
      claims: claims.map((c) => ({
        podClaimName: c.metadata?.name ?? "",
        name: c.metadata?.name ?? "",
        uid: c.metadata?.uid ?? "",
        drivers: [DRIVER],
      })),
      containers: [{ name: "app", claims: claims.map((c) => c.metadata?.name ?? "") }],
    };
  }

  async checkpoint(): Promise<{
    data: { claims: Record<string, { state: string; podUIDs: string[]; rebuilt?: boolean }> };
  }> {
    return JSON.parse(await readFile(this.checkpointPath, "utf8")) as never;
  }

  async cdiSpec(claimUid: string): Promise<{
    cdiVersion: string;
    kind: string;
    devices: { name: string; containerEdits: { env: string[]; deviceNodes?: { path: string }[] } }[];
  }> {
    return JSON.parse(await readFile(join(this.dirs.cdi, `${DRIVER}-net_${claimUid}.json`), "utf8")) as never;
  }
}

function parseLine(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}

function render(lines: Record<string, unknown>[]): string {
  return lines.map((l) => JSON.stringify(l)).join("\n");
}
