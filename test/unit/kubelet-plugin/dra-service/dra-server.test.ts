// The DRA server on a real unix socket: both API versions on one socket (v1 carries share_id,
// v1beta1 cannot), empty and malformed requests, the health services, stop.
import * as grpc from "@grpc/grpc-js";
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubeletServices, unixTarget } from "../../../../src/k8s/kubelet-grpc.ts";
import type { NodePrepareResourcesResponse__Output } from "../../../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/NodePrepareResourcesResponse.ts";
import type { NodeUnprepareResourcesResponse__Output } from "../../../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/NodeUnprepareResourcesResponse.ts";
import type { NodeWatchResourcesResponse__Output } from "../../../../src/generated/dra-health-v1alpha1/v1alpha1/NodeWatchResourcesResponse.ts";
import { DraServer } from "../../../../src/kubelet-plugin/dra-service/dra-server.ts";
import { DraService } from "../../../../src/kubelet-plugin/dra-service/dra-service.ts";
import { grpcHealthService } from "../../../../src/kubelet-plugin/dra-service/grpc-health.ts";
import type { DeviceHealthSource, HealthDevice } from "../../../../src/kubelet-plugin/dra-service/ports.ts";
import { FakeClaimPreparer, defaultDevice } from "../../../fakes/claim-preparer.ts";
import { grpcCode, unary } from "../../../harness/kubelet/grpc-unix.ts";

let dir: string;
let server: DraServer;
let preparer: FakeClaimPreparer;
const clients: grpc.Client[] = [];

class ListSource implements DeviceHealthSource {
  list: HealthDevice[] = [{ poolName: "node-a", deviceName: "veth-a", health: "HEALTHY" }];
  private readonly listeners = new Set<() => void>();
  devices(): HealthDevice[] {
    return this.list;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(list: HealthDevice[]): void {
    this.list = list;
    for (const l of this.listeners) l();
  }
}
let source: ListSource;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-dra-"));
  preparer = new FakeClaimPreparer();
  source = new ListSource();
  server = new DraServer({
    socketPath: join(dir, "plugins", "netclaim.dev", "dra.sock"),
    service: new DraService({ preparer }),
    healthSource: source,
  });
  await server.start();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function client<C extends grpc.Client>(ctor: new (target: string, creds: grpc.ChannelCredentials) => C): C {
  const c = new ctor(unixTarget(server.socketPath), grpc.credentials.createInsecure());
  clients.push(c);
  return c;
}

const claimA = { namespace: "ns", name: "a", uid: "uid-a" };
const claimB = { namespace: "ns", name: "b", uid: "uid-b" };

describe("DraServer", () => {
  it("serves v1 and v1beta1 on one socket; only v1 carries share_id", async () => {
    preparer.prepareScripts.set("uid-a", { devices: [{ ...defaultDevice(claimA), shareId: "share-1" }] });
    preparer.prepareScripts.set("uid-b", { error: "claim ns/b got replaced" });
    const services = kubeletServices();
    const v1 = client(services.draV1);
    const v1beta1 = client(services.draV1beta1);
    const request = { claims: [claimA, claimB] };
    const fromV1 = await unary<NodePrepareResourcesResponse__Output>((cb) =>
      v1.NodePrepareResources(request, cb),
    );
    const fromBeta = await unary<NodePrepareResourcesResponse__Output>((cb) =>
      v1beta1.NodePrepareResources(request, cb),
    );
    const device = {
      request_names: ["net"],
      pool_name: "node-a",
      device_name: "dev-a",
      cdi_device_ids: ["netclaim.dev/net=uid-a"],
    };
    expect(fromV1.claims).toEqual({
      "uid-a": { devices: [{ ...device, share_id: "share-1", _share_id: "share_id" }], error: "" },
      "uid-b": { devices: [], error: "claim ns/b got replaced" },
    });
    expect(fromBeta.claims).toEqual({
      "uid-a": { devices: [device], error: "" },
      "uid-b": { devices: [], error: "claim ns/b got replaced" },
    });
  });

  it("answers an empty request OK on both versions", async () => {
    const services = kubeletServices();
    for (const ctor of [services.draV1, services.draV1beta1]) {
      const c = client(ctor);
      await expect(unary((cb) => c.NodePrepareResources({ claims: [] }, cb))).resolves.toEqual({
        claims: {},
      });
      await expect(unary((cb) => c.NodeUnprepareResources({ claims: [] }, cb))).resolves.toEqual({
        claims: {},
      });
    }
    expect(preparer.calls).toEqual([]);
  });

  it("unprepare answers every claim", async () => {
    preparer.unprepareScripts.set("uid-b", { error: "restore driver: busy" });
    const c = client(kubeletServices().draV1);
    const reply = await unary<NodeUnprepareResourcesResponse__Output>((cb) =>
      c.NodeUnprepareResources({ claims: [claimA, claimB] }, cb),
    );
    expect(reply.claims).toEqual({ "uid-a": { error: "" }, "uid-b": { error: "restore driver: busy" } });
  });

  it("refuses a malformed request with INVALID_ARGUMENT and calls nothing", async () => {
    const c = client(kubeletServices().draV1);
    const bad = { claims: [{ namespace: "ns", name: "x", uid: "" }] };
    const err = await unary((cb) => c.NodePrepareResources(bad, cb)).catch((e: unknown) => e);
    expect(grpcCode(err)).toBe(grpc.status.INVALID_ARGUMENT);
    expect((err as grpc.ServiceError).details).toBe("NodePrepareResources: claims[0] has no uid");
    expect(preparer.calls).toEqual([]);
  });

  it("answers grpc.health.v1 Check", async () => {
    const health = client(grpcHealthService()) as unknown as grpc.Client & {
      Check: (req: { service: string }, cb: grpc.requestCallback<{ status: string }>) => void;
    };
    await expect(unary((cb) => health.Check({ service: "" }, cb))).resolves.toEqual({ status: "SERVING" });
    await expect(
      unary((cb) => health.Check({ service: "k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin" }, cb)),
    ).resolves.toEqual({ status: "SERVING" });
    const err = await unary((cb) => health.Check({ service: "nope" }, cb)).catch((e: unknown) => e);
    expect(grpcCode(err)).toBe(grpc.status.NOT_FOUND);
  });

  it("streams every device's health at once and again after a change", async () => {
    const c = client(kubeletServices().draHealthV1alpha1);
    const stream = c.NodeWatchResources({});
    const messages: NodeWatchResourcesResponse__Output[] = [];
    const received = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (messages.length >= n ? resolve() : undefined);
        stream.on("data", (m: NodeWatchResourcesResponse__Output) => {
          messages.push(m);
          check();
        });
        check();
      });
    stream.on("error", () => undefined);
    await received(1);
    expect(messages[0]?.devices).toMatchObject([
      { device: { pool_name: "node-a", device_name: "veth-a" }, health: "HEALTHY" },
    ]);
    source.change([
      { poolName: "node-a", deviceName: "veth-a", health: "HEALTHY" },
      { poolName: "node-a", deviceName: "veth-b", health: "UNHEALTHY", message: "link down" },
    ]);
    await received(2);
    expect(messages[1]?.devices.map((d) => [d.device?.device_name, d.health, d.message])).toEqual([
      ["veth-a", "HEALTHY", ""],
      ["veth-b", "UNHEALTHY", "link down"],
    ]);
    stream.cancel();
  });

  it("has a 0600 socket and removes it on stop", async () => {
    expect((await lstat(server.socketPath)).mode & 0o777).toBe(0o600);
    await server.stop();
    expect(server.serving).toBe(false);
    await expect(lstat(server.socketPath)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
