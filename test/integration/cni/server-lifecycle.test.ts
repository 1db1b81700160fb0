// The CniServer's lifecycle in this process, against the stand-in API server, with a slow shell plugin
// as the delegate: not ready until its informers have synced; stopped by its start signal while an ADD
// is running, it removes the socket at once, lets that ADD finish and answer, writes its network-status
// before it is done (the queue's last attempt), and stops its informers (no watch left open).
import { chmod, lstat, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeApiServer } from "../../harness/api-server/index.ts";
import { CniServer } from "../../../src/cni/server/cni-server.ts";
import { forwardCniCall } from "../../../src/cni/shim/forward.ts";
import { silentLogger } from "../../../src/common/logger.ts";
import { createKubeClient } from "../../../src/k8s/client.ts";

const SLOW_PLUGIN = `#!/bin/sh
cat >/dev/null
[ -n "$NC_STARTED" ] && : > "$NC_STARTED.$CNI_CONTAINERID"
sleep 0.5
[ "$CNI_COMMAND" = ADD ] && printf '{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}]}' "$CNI_IFNAME" "$CNI_NETNS"
exit 0
`;

describe("CniServer lifecycle", () => {
  let dir: string;
  let api: FakeApiServer;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nc-server-life-"));
    await mkdir(join(dir, "bin"));
    await writeFile(join(dir, "bin", "slownet"), SLOW_PLUGIN);
    await chmod(join(dir, "bin", "slownet"), 0o755);
    const cluster = join(dir, "10-slow.conflist");
    await writeFile(
      cluster,
      JSON.stringify({ cniVersion: "1.0.0", name: "slow", plugins: [{ type: "slownet" }] }),
    );
    api = new FakeApiServer({ podGracefulDeletion: false });
    await api.start();
    await api.writeKubeconfig(join(dir, "kubeconfig"));
    api.seed({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { namespace: "ns1", name: "web", uid: "u-1" },
      spec: { nodeName: "n1" },
    });
    config = JSON.stringify({
      cniVersion: "1.0.0",
      name: "netclaim-net",
      type: "netclaim",
      clusterNetwork: cluster,
      cniDir: join(dir, "cache"),
      binDir: join(dir, "bin"),
    });
  });
  afterAll(async () => {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("stops on its signal: socket gone at once, the running ADD answered, its status written", async () => {
    const socket = join(dir, "run", "cni.sock");
    const controller = new AbortController();
    const server = new CniServer({
      socketPath: socket,
      nodeName: "n1",
      kube: createKubeClient({ kind: "file", path: join(dir, "kubeconfig") }, { component: "test" }),
      logger: silentLogger(),
      env: { PATH: process.env.PATH, NC_STARTED: join(dir, "started") },
    });
    await server.start(controller.signal);
    await server.waitForSync();
    expect(server.readiness()).toEqual({ ready: true });
    const adding = forwardCniCall({
      socketPath: socket,
      body: {
        env: {
          CNI_COMMAND: "ADD",
          CNI_CONTAINERID: "c1",
          CNI_NETNS: "/var/run/netns/x",
          CNI_IFNAME: "eth0",
          CNI_ARGS: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web;K8S_POD_UID=u-1",
          CNI_PATH: join(dir, "bin"),
        },
        config,
      },
    });
    await expect
      .poll(() =>
        lstat(join(dir, "started.c1")).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    controller.abort();
    await expect
      .poll(() =>
        lstat(socket).then(
          () => "there",
          () => "gone",
        ),
      )
      .toBe("gone");
    expect(server.readiness()).toEqual({ ready: false, reason: "stopping" });
    const answer = await adding;
    expect(answer).toMatchObject({ kind: "answered", status: 200, reply: { exitCode: 0 } });
    await server.stop();
    expect(api.requestCount({ verb: "update", resource: "pods", subresource: "status" })).toBe(1);
    await expect.poll(() => api.openWatches).toBe(0);
  }, 30_000);
});
