import { describe, expect, it } from "vitest";
import type { PodObject } from "../../../../src/cni/standalone/api-cluster-view.ts";
import {
  ApiStatusWriter,
  NETWORK_STATUS_ANNOTATION,
} from "../../../../src/cni/standalone/api-status-writer.ts";
import type { Clock } from "../../../../src/common/clock.ts";
import { GenericResourceClient } from "../../../../src/k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import { captureLogger } from "../../../fakes/logger.ts";
import { FakeTransport } from "../../../fakes/kube-transport.ts";

/** Records the retry waits and returns at once. */
function instantClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => 0,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    setTimeout: () => ({ cancel: () => undefined }),
    setInterval: () => ({ cancel: () => undefined }),
  };
}

const POD = { namespace: "ns1", name: "web-0", uid: "u-1" };
const VALUE = '[{"name":"cluster","interface":"eth0","ips":["10.1.0.5"],"default":true}]';

function podObject(resourceVersion: string, annotations?: Record<string, string>, uid = "u-1"): PodObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: "ns1",
      name: "web-0",
      uid,
      resourceVersion,
      ...(annotations ? { annotations } : {}),
    },
  };
}

const conflict = {
  kind: "Status",
  status: "Failure",
  code: 409,
  reason: "Conflict",
  message: 'Operation cannot be fulfilled on pods "web-0": the object has been modified',
};
const notFound = {
  kind: "Status",
  status: "Failure",
  code: 404,
  reason: "NotFound",
  message: 'pods "web-0" not found',
};

function writerOver(transport: FakeTransport, clock = instantClock(), known?: PodObject) {
  const log = captureLogger();
  const asked: string[] = [];
  const writer = new ApiStatusWriter({
    pods: new GenericResourceClient<PodObject>({ transport, type: RESOURCE_TYPES.pods }),
    clock,
    logger: log.logger,
    random: () => 0,
    knownPod: (namespace, name) => {
      asked.push(`${namespace}/${name}`);
      return known;
    },
  });
  return { writer, log, clock, asked };
}

const calls = (t: FakeTransport) => t.requests.map((r) => `${r.method} ${r.path}`);

describe("ApiStatusWriter", () => {
  it("sets the annotation on the pod read and updates pods/status, other annotations kept", async () => {
    const transport = new FakeTransport()
      .reply(200, podObject("7", { keep: "me" }))
      .reply(200, podObject("8"));
    await writerOver(transport).writer.writeNetworkStatus(POD, VALUE);
    expect(calls(transport)).toEqual([
      "GET /api/v1/namespaces/ns1/pods/web-0",
      "PUT /api/v1/namespaces/ns1/pods/web-0/status",
    ]);
    expect(transport.lastBody()).toMatchObject({
      metadata: {
        uid: "u-1",
        resourceVersion: "7",
        annotations: { keep: "me", [NETWORK_STATUS_ANNOTATION]: VALUE },
      },
    });
  });

  it("reads the pod again and re-applies the annotation after a conflict", async () => {
    const transport = new FakeTransport()
      .reply(200, podObject("7"))
      .reply(409, conflict)
      .reply(200, podObject("9", { added: "by someone else" }))
      .reply(200, podObject("10"));
    const { writer, clock } = writerOver(transport);
    await writer.writeNetworkStatus(POD, VALUE);
    expect(calls(transport)).toEqual([
      "GET /api/v1/namespaces/ns1/pods/web-0",
      "PUT /api/v1/namespaces/ns1/pods/web-0/status",
      "GET /api/v1/namespaces/ns1/pods/web-0",
      "PUT /api/v1/namespaces/ns1/pods/web-0/status",
    ]);
    expect(transport.lastBody()).toMatchObject({
      metadata: {
        resourceVersion: "9",
        annotations: { added: "by someone else", [NETWORK_STATUS_ANNOTATION]: VALUE },
      },
    });
    expect(clock.sleeps).toEqual([10]);
  });

  it("starts from the pod this call already read, like Multus: one PUT, no GET", async () => {
    const transport = new FakeTransport().reply(200, podObject("8"));
    const { writer, asked } = writerOver(transport, instantClock(), podObject("7", { keep: "me" }));
    await writer.writeNetworkStatus(POD, VALUE);
    expect(calls(transport)).toEqual(["PUT /api/v1/namespaces/ns1/pods/web-0/status"]);
    expect(transport.lastBody()).toMatchObject({
      metadata: { resourceVersion: "7", annotations: { keep: "me", [NETWORK_STATUS_ANNOTATION]: VALUE } },
    });
    expect(asked).toEqual(["ns1/web-0"]);
  });

  it("reads the pod afresh when the one already read is stale (409)", async () => {
    const transport = new FakeTransport()
      .reply(409, conflict)
      .reply(200, podObject("9"))
      .reply(200, podObject("10"));
    const { writer } = writerOver(transport, instantClock(), podObject("7"));
    await writer.writeNetworkStatus(POD, VALUE);
    expect(calls(transport)).toEqual([
      "PUT /api/v1/namespaces/ns1/pods/web-0/status",
      "GET /api/v1/namespaces/ns1/pods/web-0",
      "PUT /api/v1/namespaces/ns1/pods/web-0/status",
    ]);
    expect(transport.lastBody()).toMatchObject({ metadata: { resourceVersion: "9" } });
  });

  it("writes even when the pod already read shows the value (it may have changed since)", async () => {
    const transport = new FakeTransport().reply(200, podObject("8"));
    const known = podObject("7", { [NETWORK_STATUS_ANNOTATION]: VALUE });
    await writerOver(transport, instantClock(), known).writer.writeNetworkStatus(POD, VALUE);
    expect(calls(transport)).toEqual(["PUT /api/v1/namespaces/ns1/pods/web-0/status"]);
  });

  it("gives up after client-go's four attempts of conflicts, naming the pod", async () => {
    const transport = new FakeTransport();
    for (let i = 0; i < 4; i++) transport.reply(200, podObject(String(i))).reply(409, conflict);
    const { writer, clock } = writerOver(transport);
    await expect(writer.writeNetworkStatus(POD, VALUE)).rejects.toMatchObject({
      code: "KUBE_API",
      message: "update status of pod ns1/web-0 (network-status) from the API server",
    });
    expect(transport.requests).toHaveLength(8);
    expect(clock.sleeps).toEqual([10, 50, 250]);
  });

  it("does not retry other failures", async () => {
    const forbidden = {
      kind: "Status",
      code: 403,
      reason: "Forbidden",
      message: "cannot update pods/status",
    };
    const transport = new FakeTransport().reply(200, podObject("7")).reply(403, forbidden);
    await expect(writerOver(transport).writer.writeNetworkStatus(POD, VALUE)).rejects.toMatchObject({
      code: "KUBE_API",
    });
    expect(transport.requests).toHaveLength(2);
  });

  it("refuses to write to a pod with another UID (the sandbox's pod was replaced)", async () => {
    const transport = new FakeTransport().reply(200, podObject("7", {}, "u-2"));
    await expect(writerOver(transport).writer.writeNetworkStatus(POD, VALUE)).rejects.toMatchObject({
      code: "POD_MISMATCH",
      message:
        "pod ns1/web-0 in the API server has UID u-2, not u-1: network-status not written to a different pod",
    });
    expect(calls(transport)).toEqual(["GET /api/v1/namespaces/ns1/pods/web-0"]);
  });

  it("writes nothing when the annotation already has the value", async () => {
    const transport = new FakeTransport().reply(200, podObject("7", { [NETWORK_STATUS_ANNOTATION]: VALUE }));
    await writerOver(transport).writer.writeNetworkStatus(POD, VALUE);
    expect(transport.requests).toHaveLength(1);
  });

  it.each([
    ["before the read", (t: FakeTransport) => t.reply(404, notFound), 1],
    ["before the update", (t: FakeTransport) => t.reply(200, podObject("7")).reply(404, notFound), 2],
  ])("logs and succeeds when the pod is gone %s", async (_label, script, requests) => {
    const transport = script(new FakeTransport());
    const { writer, log } = writerOver(transport);
    await writer.writeNetworkStatus(POD, VALUE);
    expect(transport.requests).toHaveLength(requests);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        pod: "ns1/web-0",
        msg: expect.stringContaining("network-status not written") as unknown,
      }),
    );
  });
});
