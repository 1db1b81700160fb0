// Thick mode end to end on one node, all real but the cluster: the runtime stand-in executes `netclaim`
// (the shim: `daemonSocket` in its config) in the fake host; the shim forwards to the CNI server, a
// process of its own in the fake host (as the kubelet plugin runs on a node), which reads pods and NADs
// from informer caches over the stand-in API server and runs the reference plugins: bridge + host-local
// (eth0), macvlan + host-local and ptp + host-local (net1, net2). Checked: the interfaces, the result,
// network-status written off the ADD's path, a warm ADD that reads nothing from the API, a DEL that asks
// nothing, /healthz and /readyz, and with the server stopped: ADD fails fast naming the socket, DEL
// completes from the attachment cache and leaves no host-local address behind.
import { request } from "node:http";
import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePrivileged } from "../../harness/privileged.ts";
import { CniPluginError } from "../../harness/runtime/index.ts";
import type { JsonObject, PodSandbox } from "../../harness/runtime/index.ts";
import { startServerProcess } from "./support/server-process.ts";
import type { ServerProcess } from "./support/server-process.ts";
import { createWorld, NETWORKS_ANNOTATION } from "./support/standalone-world.ts";
import type { World } from "./support/standalone-world.ts";

function httpGet(socketPath: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: text.trim() }));
    });
    req.on("error", reject);
    req.end();
  });
}

const apiCalls = (w: World): string[] =>
  w.api
    .requests()
    .filter((r) => r.verb !== "watch")
    .map((r) => `${r.verb} ${r.resource}${r.subresource ? `/${r.subresource}` : ""}`);

describePrivileged("CNI server (thick mode): shim → server → reference plugins", () => {
  let w: World;
  let server: ServerProcess;
  let socket: string;
  const sandboxes: PodSandbox[] = [];
  let firstResult: JsonObject;
  const conf = (): JsonObject => w.netconf({ daemonSocket: socket });

  beforeAll(async () => {
    w = await createWorld();
    const ipam = (subnet: string) => ({ type: "host-local", ranges: [[{ subnet }]], dataDir: w.ipamDir });
    w.seedNad("ns1", "mv", {
      cniVersion: "1.0.0",
      type: "macvlan",
      master: "eth1",
      ipam: ipam("10.242.0.0/24"),
    });
    w.seedNad("ns1", "side", { cniVersion: "1.0.0", type: "ptp", ipam: ipam("10.244.0.0/24") });
    socket = join(w.h.tmpDir, "run", "netclaim", "cni.sock");
    server = await startServerProcess(
      {
        socketPath: socket,
        nodeName: "node-1",
        kubeconfig: w.kubeconfig,
        logFile: join(w.h.tmpDir, "cni-server.log"),
        logLevel: "debug",
      },
      { netns: w.h.host.netns, tools: w.h.netns.tools },
    );
    w.h.cleanup.add("CNI server", async () => void (await server.stop()));
    const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
    sandboxes.push(sandbox);
    firstResult = await w.h.runtime.setUpPodNetwork(sandbox, conf());
  }, 90_000);

  afterAll(async () => {
    await w?.dispose();
  });

  it("serves /healthz, and /readyz once its caches synced", async () => {
    expect(await httpGet(socket, "/healthz")).toEqual({ status: 200, text: "ok" });
    expect(await httpGet(socket, "/readyz")).toEqual({ status: 200, text: "ok" });
    const mode = (await lstat(socket)).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it("attaches every network through the shim and the server's delegates", async () => {
    const addrs = await w.addresses(sandboxes[0]!);
    expect([...addrs.keys()].sort()).toEqual(["eth0", "lo", "net1", "net2"]);
    expect(addrs.get("eth0")).toEqual([expect.stringMatching(/^10\.241\.0\.\d+\/24$/)]);
    expect(addrs.get("net1")).toEqual([expect.stringMatching(/^10\.242\.0\.\d+\/24$/)]);
    expect(addrs.get("net2")).toEqual([expect.stringMatching(/^10\.244\.0\.\d+\/24$/)]);
    expect(firstResult.cniVersion).toBe("1.1.0");
    expect(firstResult.ips).toEqual([
      expect.objectContaining({ address: expect.stringMatching(/^10\.241\.0\.\d+\/24$/) as unknown }),
    ]);
  });

  it("writes network-status after answering, from the server", async () => {
    await expect
      .poll(() => w.writtenNetworkStatus(sandboxes[0]!), { timeout: 10_000 })
      .toEqual([
        expect.objectContaining({ name: "cluster-net", interface: "eth0", default: true }),
        expect.objectContaining({ name: "ns1/mv", interface: "net1" }),
        expect.objectContaining({ name: "ns1/side", interface: "net2" }),
      ]);
    const serverLog = await readFile(server.config.logFile, "utf8");
    expect(serverLog).toContain('"command":"ADD"');
  });

  it("makes no API read on a warm ADD: its only request is the status update", async () => {
    const sandbox = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
    sandboxes.push(sandbox);
    const before = await server.stats();
    w.api.resetRequests();
    await w.h.runtime.setUpPodNetwork(sandbox, conf());
    await expect.poll(() => w.writtenNetworkStatus(sandbox), { timeout: 10_000 }).toBeDefined();
    expect(apiCalls(w)).toEqual(["update pods/status"]);
    expect((await server.stats()).directReads).toEqual(before.directReads);
  });

  it("DELs through the server with no API request at all, leaving nothing behind", async () => {
    w.api.resetRequests();
    for (const sandbox of sandboxes.splice(0)) {
      await w.h.runtime.tearDownPodNetwork(sandbox, conf());
      expect([...(await w.addresses(sandbox)).keys()]).toEqual(["lo"]);
      await w.h.runtime.removePodSandbox(sandbox);
    }
    expect(apiCalls(w)).toEqual([]);
    expect(await w.allocations()).toEqual([]);
    expect(await w.cacheEntries()).toEqual([]);
  });

  it("with the server stopped: ADD fails fast naming the socket, DEL completes from the cache", async () => {
    const attached = await w.newPod("ns1", { [NETWORKS_ANNOTATION]: "mv,side" });
    await w.h.runtime.setUpPodNetwork(attached, conf());
    expect(await w.allocations()).toHaveLength(3);
    expect(await server.stop()).toBe(0);
    await expect(lstat(socket)).rejects.toThrow(/ENOENT/);

    const another = await w.newPod("ns1");
    const err = await w.invoke("ADD", another, conf()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniPluginError);
    expect((err as CniPluginError).code).toBe(110);
    expect((err as CniPluginError).msg).toContain(
      `the netclaim CNI server at ${socket} is not reachable (ENOENT)`,
    );

    w.api.resetRequests();
    await w.h.runtime.tearDownPodNetwork(attached, conf());
    expect([...(await w.addresses(attached)).keys()]).toEqual(["lo"]);
    expect(await w.allocations()).toEqual([]);
    expect(await w.cacheEntries()).toEqual([]);
    expect(w.api.requestCount()).toBe(0);
    expect(await readFile(w.logFile, "utf8")).toContain("DEL runs here from the attachment cache");
  });
});
