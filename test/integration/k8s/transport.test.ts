// KubeTransport over real loopback HTTP: what goes on the wire (user agent, credentials from the
// kubeconfig), connections kept alive between requests, and that an aborted watch closes its socket on
// both ends.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isConnectionRefused } from "../../../src/k8s/api-error.ts";
import { KubeClient } from "../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { RESOURCE_TYPES } from "../../../src/k8s/resource-path.ts";
import { until } from "../../fakes/kube-list-watch.ts";

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function kubeconfig(server: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: secret-token } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }]
current-context: ctx
`;
}

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function client(url: string): KubeClient {
  return new KubeClient({
    kubeConfig: loadKubeConfig({ kind: "yaml", yaml: kubeconfig(url) }),
    component: "test",
    version: "9.9.9",
  });
}

describe("KubeTransport", () => {
  it("sends the user agent, the bearer token and JSON accept headers", async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const { url } = await serve((req, res) => {
      seen.push(req.headers);
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ kind: "Pod", metadata: { name: "p" } }));
    });
    const pod = await client(url).resource(RESOURCE_TYPES.pods).get("p", { namespace: "ns" });
    expect(pod.metadata?.name).toBe("p");
    expect(seen[0]).toMatchObject({
      "user-agent": "netclaim/9.9.9 (test)",
      authorization: "Bearer secret-token",
      accept: "application/json",
    });
  });

  it("keeps its connection alive: sequential requests share one connection", async () => {
    const { url, server } = await serve((_req, res) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ kind: "Pod", apiVersion: "v1", metadata: { name: "p", namespace: "ns" } }));
    });
    let connections = 0;
    server.on("connection", () => connections++);
    const pods = client(url).resource(RESOURCE_TYPES.pods);
    for (let i = 0; i < 5; i++) await pods.get("p", { namespace: "ns" });
    expect(connections).toBe(1);
    // two at once need two
    await Promise.all([pods.get("p", { namespace: "ns" }), pods.get("p", { namespace: "ns" })]);
    expect(connections).toBe(2);
  });

  it("closes the watch connection when the watch's signal aborts", async () => {
    let closed = false;
    const { url } = await serve((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(
        JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "1" } } }) + "\n",
      );
      req.socket.on("close", () => (closed = true));
    });
    const abort = new AbortController();
    const events: string[] = [];
    for await (const e of await client(url).resource(RESOURCE_TYPES.pods).watch({ signal: abort.signal })) {
      events.push(e.type);
      abort.abort();
    }
    expect(events).toEqual(["ADDED"]);
    await until(() => closed, "server sees the socket close");
  });

  it("reports a refused connection so callers can tell it apart", async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    servers.length = 0;
    const err: unknown = await client(url)
      .resource(RESOURCE_TYPES.pods)
      .list()
      .catch((e: unknown) => e);
    expect(isConnectionRefused(err)).toBe(true);
    expect((err as Error).message).toMatch(/^GET \/api\/v1\/pods: /);
  });
});
