import { describe, expect, it } from "vitest";
import { ApiClusterView } from "../../../../src/cni/standalone/api-cluster-view.ts";
import type { NadObject, PodObject } from "../../../../src/cni/standalone/api-cluster-view.ts";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { errorMessage } from "../../../../src/common/errors.ts";
import type { HttpRequest, HttpResponse, Transport } from "../../../../src/k8s/http-transport.ts";
import { GenericResourceClient } from "../../../../src/k8s/resource-client.ts";
import { RESOURCE_TYPES } from "../../../../src/k8s/resource-path.ts";
import { FakeTransport } from "../../../fakes/kube-transport.ts";

function viewOver(
  transport: Transport,
  requestTimeoutMs?: number,
  onPodRead?: (pod: PodObject) => void,
): ApiClusterView {
  return new ApiClusterView({
    pods: new GenericResourceClient<PodObject>({ transport, type: RESOURCE_TYPES.pods }),
    nads: new GenericResourceClient<NadObject>({
      transport,
      type: RESOURCE_TYPES.networkAttachmentDefinitions,
    }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    ...(onPodRead === undefined ? {} : { onPodRead }),
  });
}

const status = (code: number, reason: string, message: string) => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  code,
  reason,
  message,
});

/** A transport that never answers, until the request's signal aborts. */
class SilentTransport implements Transport {
  readonly requests: HttpRequest[] = [];
  send(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    return new Promise((_resolve, reject) => {
      req.signal?.addEventListener("abort", () => reject(req.signal?.reason as Error), { once: true });
    });
  }
}

describe("ApiClusterView.getPod", () => {
  it("reads the pod with one GET and keeps what the engine uses", async () => {
    const transport = new FakeTransport().reply(200, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        namespace: "ns1",
        name: "web-0",
        uid: "u-1",
        resourceVersion: "42",
        annotations: { "k8s.v1.cni.cncf.io/networks": "a,b", odd: 7 },
      },
      spec: { nodeName: "n1" },
    });
    const read: PodObject[] = [];
    const pod = await viewOver(transport, undefined, (p) => read.push(p)).getPod("ns1", "web-0");
    expect(read).toMatchObject([{ kind: "Pod", spec: { nodeName: "n1" } }]); // whole, for the status writer
    expect(pod).toEqual({
      namespace: "ns1",
      name: "web-0",
      uid: "u-1",
      resourceVersion: "42",
      annotations: { "k8s.v1.cni.cncf.io/networks": "a,b" },
    });
    expect(transport.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v1/namespaces/ns1/pods/web-0",
    ]);
  });

  it("is undefined for 404 NotFound", async () => {
    const transport = new FakeTransport().reply(404, status(404, "NotFound", 'pods "web-0" not found'));
    await expect(viewOver(transport).getPod("ns1", "web-0")).resolves.toBeUndefined();
  });

  it.each([
    ["a 500", (t: FakeTransport) => t.reply(500, status(500, "InternalError", "etcd is sad")), "etcd is sad"],
    [
      "a 403",
      (t: FakeTransport) => t.reply(403, status(403, "Forbidden", "pods is forbidden")),
      "pods is forbidden",
    ],
    [
      "a refused connection",
      (t: FakeTransport) => t.fail(new Error("GET /api: connect ECONNREFUSED")),
      "ECONNREFUSED",
    ],
  ])("fails with KUBE_API naming the pod on %s", async (_label, script, cause) => {
    const transport = script(new FakeTransport());
    const err = await viewOver(transport)
      .getPod("ns1", "web-0")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect((err as CniError).code).toBe("KUBE_API");
    expect((err as CniError).message).toBe("get pod ns1/web-0 from the API server");
    expect(errorMessage(err)).toContain(cause);
  });

  it("gives up after its own deadline and says so", async () => {
    const transport = new SilentTransport();
    const err = await viewOver(transport, 20)
      .getPod("ns1", "web-0")
      .catch((e: unknown) => e);
    expect((err as CniError).code).toBe("KUBE_API");
    expect((err as CniError).message).toBe("get pod ns1/web-0 from the API server (no answer within 20ms)");
  });

  it("rejects with the caller's reason when the caller aborts", async () => {
    const transport = new SilentTransport();
    const controller = new AbortController();
    const pending = viewOver(transport)
      .getPod("ns1", "web-0", controller.signal)
      .catch((e: unknown) => e);
    controller.abort(new Error("runtime timeout"));
    expect(await pending).toEqual(new Error("runtime timeout"));
  });

  it("asks nothing for an empty name (a GET without a name would list every pod)", async () => {
    const transport = new FakeTransport();
    await expect(viewOver(transport).getPod("ns1", "")).resolves.toBeUndefined();
    await expect(viewOver(transport).getPod("", "x")).resolves.toBeUndefined();
    expect(transport.requests).toEqual([]);
  });
});

describe("ApiClusterView.getNetworkAttachmentDefinition", () => {
  const cases: { name: string; spec: unknown; want: string | undefined }[] = [
    { name: "a config", spec: { config: '{"type":"macvlan"}' }, want: '{"type":"macvlan"}' },
    { name: "an empty config (file in confDir)", spec: { config: "" }, want: undefined },
    { name: "no spec (file in confDir)", spec: undefined, want: undefined },
    { name: "a config that is not a string", spec: { config: { type: "x" } }, want: undefined },
  ];

  it.each(cases)("reads a NAD with $name", async ({ spec, want }) => {
    const transport = new FakeTransport().reply(200, {
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      metadata: { namespace: "ns2", name: "mv", annotations: { "k8s.v1.cni.cncf.io/resourceName": "pool" } },
      ...(spec === undefined ? {} : { spec }),
    });
    const nad = await viewOver(transport).getNetworkAttachmentDefinition("ns2", "mv");
    expect(nad).toEqual({
      namespace: "ns2",
      name: "mv",
      annotations: { "k8s.v1.cni.cncf.io/resourceName": "pool" },
      ...(want === undefined ? {} : { config: want }),
    });
    expect(transport.last().path).toBe(
      "/apis/k8s.cni.cncf.io/v1/namespaces/ns2/network-attachment-definitions/mv",
    );
  });

  it("is undefined for NotFound (also what a cluster without the CRD answers)", async () => {
    const transport = new FakeTransport().reply(
      404,
      status(404, "NotFound", "the server could not find the requested resource"),
    );
    await expect(viewOver(transport).getNetworkAttachmentDefinition("ns2", "mv")).resolves.toBeUndefined();
  });

  it("fails with KUBE_API naming the NAD on other errors", async () => {
    const transport = new FakeTransport().reply(503, status(503, "ServiceUnavailable", "try later"));
    await expect(viewOver(transport).getNetworkAttachmentDefinition("ns2", "mv")).rejects.toMatchObject({
      code: "KUBE_API",
      message: "get network-attachment-definition ns2/mv from the API server",
    });
  });
});
