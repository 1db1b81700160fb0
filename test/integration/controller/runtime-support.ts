// Shared setup of the controller's harness tests: the stand-in API server, an in-process
// NetclaimController with short timings, object builders (NADs, Nodes, ResourceSlices), and
// `netclaim controller` as a child process whose JSON log lines are kept.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { vi } from "vitest";
import { NetclaimController } from "../../../src/controller/controller.ts";
import type { NetclaimControllerOptions } from "../../../src/controller/controller.ts";
import { ControllerMetrics } from "../../../src/controller/runtime/metrics.ts";
import { silentLogger } from "../../../src/common/logger.ts";
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import { clientFor } from "../k8s/helpers.ts";

export { clientFor, eventually, startServer } from "../k8s/helpers.ts";

/** Like eventually(), for a condition that needs I/O (an HTTP GET, rendering metrics). */
export async function eventuallyAsync(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await condition())) throw new Error(`still waiting for: ${what}`);
    },
    { timeout: timeoutMs, interval: 20 },
  );
}

export const DRIVER = "netclaim.dev";
export const CLI = new URL("../../../src/cli/main.ts", import.meta.url).pathname;
/** Short leader-election timings for tests on real time (client-go's checks still hold). */
export const FAST_ELECTION = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 200 };

export function inProcessController(
  server: FakeApiServer,
  extra: Partial<NetclaimControllerOptions> = {},
): NetclaimController {
  return new NetclaimController({
    kube: clientFor(server, "controller-test"),
    driverName: DRIVER,
    leaderElection: { namespace: "default", identity: "in-process", ...FAST_ELECTION },
    logger: silentLogger(),
    metrics: new ControllerMetrics({ defaultMetrics: false }),
    ...extra,
  });
}

export function nadObject(
  name: string,
  resourceName: string | undefined,
  opts: { manage?: boolean; namespace?: string } = {},
): KubeObject {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: {
      name,
      namespace: opts.namespace ?? "default",
      ...(resourceName === undefined
        ? {}
        : { annotations: { "k8s.v1.cni.cncf.io/resourceName": resourceName } }),
      ...(opts.manage ? { labels: { "netclaim.dev/manage-device-class": "true" } } : {}),
    },
    spec: { config: JSON.stringify({ cniVersion: "1.0.0", name, type: "host-device" }) },
  };
}

export function nodeObject(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name } };
}

export function sliceObject(opts: {
  node: string;
  resourceNames?: string[];
  driver?: string;
  owner?: { name: string; uid: string };
}): KubeObject {
  const driver = opts.driver ?? DRIVER;
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: {
      name: `${opts.node}-${driver}-slice`,
      ...(opts.owner ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", ...opts.owner }] } : {}),
    },
    spec: {
      driver,
      nodeName: opts.node,
      pool: { name: opts.node, generation: 1, resourceSliceCount: 1 },
      devices: (opts.resourceNames ?? []).map((r, i) => ({
        name: `dev-${i}`,
        attributes: { "k8s.cni.cncf.io/resourceName": { string: r } },
      })),
    },
  };
}

export const ref = {
  deviceClass: (name: string) => ({ group: "resource.k8s.io", resource: "deviceclasses", name }),
  slice: (name: string) => ({ group: "resource.k8s.io", resource: "resourceslices", name }),
  lease: (name = "netclaim-controller", namespace = "default") => ({
    group: "coordination.k8s.io",
    resource: "leases",
    name,
    namespace,
  }),
};

/** Core events about the object named `name`, as `kubectl describe` would list them. */
export function eventsAbout(server: FakeApiServer, name: string): KubeObject[] {
  return server
    .listObjects({ group: "", resource: "events" })
    .filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name);
}

export interface ControllerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a log line. */
  logLine(match: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
}

/** `node src/cli/main.ts controller --kubeconfig <path> ...` with JSON logs on stderr kept. */
export function spawnController(kubeconfig: string, args: string[]): ControllerProcess {
  const child = spawn(process.execPath, [CLI, "controller", `--kubeconfig=${kubeconfig}`, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NETCLAIM_LOG_LEVEL: "debug" },
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
    // "close", not "exit": every log line written before the end has been read by then.
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const logLine = async (match: (line: Record<string, unknown>) => boolean, what: string) => {
    let found: Record<string, unknown> | undefined;
    await vi.waitFor(
      () => {
        found = lines.find(match);
        if (found === undefined) throw new Error(`no log line: ${what}\n${render(lines)}`);
      },
      { timeout: 20_000, interval: 20 },
    );
    return found!;
  };
  return { child, lines, exited, logLine };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}

function render(lines: Record<string, unknown>[]): string {
  return lines
    .slice(-20)
    .map((l) => JSON.stringify(l))
    .join("\n");
}
