import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FakeApiServer } from "./index.ts";
import type { FakeApiServerOptions } from "./index.ts";
import { call, pod } from "./test-client.ts";

let server: FakeApiServer | undefined;
async function started(options: FakeApiServerOptions = {}): Promise<string> {
  server = new FakeApiServer(options);
  await server.start();
  return server.url;
}
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const PODS = "/api/v1/namespaces/default/pods";

describe("request accounting", () => {
  it("records verb, resource, subresource, namespace, name, status, user agent, field manager and token", async () => {
    const url = await started();
    await call(url, "POST", PODS, pod("p"));
    await call(url, "GET", `${PODS}/p`);
    await call(url, "GET", "/api/v1/pods");
    await call(
      url,
      "PATCH",
      `${PODS}/p/status?fieldManager=kubelet`,
      { status: { phase: "Running" } },
      "application/merge-patch+json",
    );
    await call(url, "DELETE", `${PODS}/nope`);
    const recorded = server?.requests().map((r) => ({
      verb: r.verb,
      resource: r.resource,
      subresource: r.subresource,
      namespace: r.namespace,
      name: r.name,
      status: r.status,
      userAgent: r.userAgent,
      fieldManager: r.fieldManager,
      bearerToken: r.bearerToken,
    }));
    const common = { userAgent: "stand-in-test/1.0", bearerToken: true };
    expect(recorded).toEqual([
      {
        ...common,
        verb: "create",
        resource: "pods",
        subresource: undefined,
        namespace: "default",
        name: undefined,
        status: 201,
        fieldManager: undefined,
      },
      {
        ...common,
        verb: "get",
        resource: "pods",
        subresource: undefined,
        namespace: "default",
        name: "p",
        status: 200,
        fieldManager: undefined,
      },
      {
        ...common,
        verb: "list",
        resource: "pods",
        subresource: undefined,
        namespace: undefined,
        name: undefined,
        status: 200,
        fieldManager: undefined,
      },
      {
        ...common,
        verb: "patch",
        resource: "pods",
        subresource: "status",
        namespace: "default",
        name: "p",
        status: 200,
        fieldManager: "kubelet",
      },
      {
        ...common,
        verb: "delete",
        resource: "pods",
        subresource: undefined,
        namespace: "default",
        name: "nope",
        status: 404,
        fieldManager: undefined,
      },
    ]);
    expect(server?.requestCount({ resource: "pods", verb: "get" })).toBe(1);
    expect(server?.requestCount({ subresource: "status" })).toBe(1);
    server?.resetRequests();
    expect(server?.requestCount()).toBe(0);
  });

  it("seed and direct store access are not counted", async () => {
    await started();
    server?.seed(pod("p", { metadata: { name: "p", namespace: "default" } }));
    server?.getObject({ resource: "pods", namespace: "default", name: "p" });
    expect(server?.requestCount()).toBe(0);
  });
});

describe("faults", () => {
  const statuses = [
    { name: "500", rule: { status: 500 }, want: { code: 500, reason: "InternalError" } },
    {
      name: "409 with a message",
      rule: { status: 409, message: "injected" },
      want: { code: 409, reason: "Conflict", message: "injected" },
    },
    {
      name: "503 with a reason",
      rule: { status: 503, reason: "ServiceUnavailable" },
      want: { code: 503, reason: "ServiceUnavailable" },
    },
  ];
  it.each(statuses)("answers $name as a Status", async ({ rule, want }) => {
    const url = await started();
    server?.addFault({ match: { verb: "list", resource: "pods" }, times: 1, ...rule });
    const faulty = await call(url, "GET", PODS);
    expect(faulty.status).toBe(want.code);
    expect(faulty.body).toMatchObject({ kind: "Status", status: "Failure", ...want });
    expect((await call(url, "GET", PODS)).status).toBe(200);
    expect(server?.requests().map((r) => r.status)).toEqual([want.code, 200]);
  });

  it("429 carries Retry-After", async () => {
    const url = await started();
    server?.addFault({ match: { verb: "create" }, status: 429, retryAfterSeconds: 3, times: 1 });
    const reply = await call(url, "POST", PODS, pod("p"));
    expect(reply.status).toBe(429);
    expect(reply.headers.get("retry-after")).toBe("3");
    expect(reply.body).toMatchObject({ reason: "TooManyRequests", details: { retryAfterSeconds: 3 } });
    expect(server?.getObject({ resource: "pods", namespace: "default", name: "p" })).toBeUndefined();
  });

  it("matches on name and namespace, and lasts until removed without times", async () => {
    const url = await started();
    server?.seed(pod("a", { metadata: { name: "a", namespace: "default" } }));
    server?.seed(pod("b", { metadata: { name: "b", namespace: "default" } }));
    const remove = server?.addFault({ match: { verb: "get", name: "a", namespace: "default" }, status: 500 });
    expect((await call(url, "GET", `${PODS}/a`)).status).toBe(500);
    expect((await call(url, "GET", `${PODS}/a`)).status).toBe(500);
    expect((await call(url, "GET", `${PODS}/b`)).status).toBe(200);
    remove?.();
    expect((await call(url, "GET", `${PODS}/a`)).status).toBe(200);
    server?.addFault({ match: { verb: "get" }, status: 500 });
    server?.clearFaults();
    expect((await call(url, "GET", `${PODS}/a`)).status).toBe(200);
  });

  it("delays, then serves normally", async () => {
    const url = await started();
    server?.addFault({ match: { verb: "list" }, delayMs: 50, times: 1 });
    const reply = await call(url, "GET", PODS);
    expect(reply.status).toBe(200);
  });

  it("refuses the connection without answering", async () => {
    const url = await started();
    server?.addFault({ match: { verb: "list", resource: "pods" }, refuseConnection: true, times: 1 });
    await expect(call(url, "GET", PODS)).rejects.toThrow();
    expect(server?.requests()[0]).toMatchObject({ verb: "list", status: 0 });
    expect((await call(url, "GET", PODS)).status).toBe(200);
  });

  it("fails a watch before it streams", async () => {
    const url = await started();
    server?.addFault({ match: { verb: "watch" }, status: 410, times: 1 });
    const reply = await call(url, "GET", `${PODS}?watch=true`);
    expect(reply.status).toBe(410);
  });

  it("stop() does not hang on a request held by a delay", async () => {
    const url = await started();
    server?.addFault({ match: { verb: "list" }, delayMs: 60_000 });
    const pending = call(url, "GET", PODS).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server?.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe("authentication", () => {
  it("accepts any bearer token by default and records whether one came", async () => {
    const url = await started();
    const reply = await fetch(`${url}${PODS}`);
    expect(reply.status).toBe(200);
    expect(server?.requests()[0]?.bearerToken).toBe(false);
  });

  it("answers 401 without the required token", async () => {
    const url = await started({ requiredToken: "secret" });
    const anonymous = await fetch(`${url}${PODS}`);
    expect(anonymous.status).toBe(401);
    const authorized = await fetch(`${url}${PODS}`, { headers: { Authorization: "Bearer secret" } });
    expect(authorized.status).toBe(200);
  });

  it("restarts on the same port with the same objects and resourceVersion", async () => {
    const url = await started();
    await call(url, "POST", PODS, pod("p"));
    const rv = server?.resourceVersion;
    await server?.stop();
    await expect(fetch(`${url}${PODS}`)).rejects.toThrow();
    await server?.start();
    expect(server?.url).toBe(url);
    const list = await call(url, "GET", PODS);
    expect(list.body["metadata"]).toEqual({ resourceVersion: rv });
    expect(list.body["items"]).toHaveLength(1);
  });

  it("stops when the start signal aborts", async () => {
    server = new FakeApiServer();
    const controller = new AbortController();
    await server.start(controller.signal);
    const url = server.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    controller.abort();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it("closes idle keep-alive sockets on stop", async () => {
    const url = new URL(await started());
    const socket = connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once("connect", resolve));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    await server?.stop();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
