// Start-up discipline of `netclaim cni`: the modules each command loads, seen through a module load hook
// in a real process. VERSION loads only the version table; STATUS and a DEL served from the attachment
// cache load no Kubernetes client, HTTP, YAML, gRPC or commander code.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentCache } from "../../../../src/cni/cache/attachment-cache.ts";
import { newCacheEntry } from "../../../../src/cni/cache/entry.ts";

const cli = new URL("../../../../src/cli/main.ts", import.meta.url).pathname;
const HOOK = `
import { registerHooks } from "node:module";
registerHooks({
  load(url, context, nextLoad) {
    process.stderr.write("LOADED " + url + "\\n");
    return nextLoad(url, context);
  },
});
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "nc-startup-"));
  await writeFile(join(dir, "hook.mjs"), HOOK);
  // an attachment with no networks: its DEL is served from the cache and runs nothing
  const entry = newCacheEntry({
    containerID: "c1",
    netns: "/var/run/netns/x",
    ifname: "eth0",
    pod: { namespace: "a", name: "b", uid: "u" },
    cniArgs: "K8S_POD_NAMESPACE=a;K8S_POD_NAME=b",
    networks: [],
  });
  await new AttachmentCache(join(dir, "cache")).write(entry);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function loaded(env: Record<string, string>, stdin: string): Promise<{ code: number; urls: string[] }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--import", join(dir, "hook.mjs"), cli, "cni"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (err, _stdout, stderr) => {
        const urls = stderr
          .split("\n")
          .filter((l) => l.startsWith("LOADED "))
          .map((l) => l.slice("LOADED ".length));
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), urls });
      },
    );
    child.stdin?.end(stdin);
  });
}

const FORBIDDEN = [
  /@kubernetes\/client-node/,
  /@grpc\//,
  /\/commander\//,
  /\/yaml\//,
  /src\/k8s\//,
  /node:https?$/,
];

describe("modules loaded by netclaim cni", () => {
  it("VERSION: the version table and nothing of the rest", async () => {
    const { code, urls } = await loaded({ CNI_COMMAND: "VERSION" }, "{}");
    expect(code).toBe(0);
    const ours = urls.filter((u) => u.includes("/src/")).map((u) => u.slice(u.indexOf("/src/")));
    const allowed = [
      "/src/cli/main.ts",
      "/src/cni/main.ts",
      "/src/cni/protocol/version.ts",
      "/src/cni/protocol/errors.ts",
      "/src/common/errors.ts",
    ];
    expect(ours).toContain("/src/cni/protocol/version.ts");
    expect(ours.filter((u) => !allowed.includes(u))).toEqual([]);
    expect(urls.filter((u) => !u.startsWith("node:") && !u.includes("/src/"))).toEqual([]); // no package
  });

  const config = (extra: Record<string, unknown>) => (): string =>
    JSON.stringify({
      cniVersion: "1.1.0",
      name: "n",
      type: "netclaim",
      clusterNetwork: "/nonexistent/cluster.conflist",
      kubeconfig: "/nonexistent/kubeconfig",
      cniDir: join(dir, "cache"),
      ...extra,
    });

  it.each([
    ["STATUS", { CNI_COMMAND: "STATUS" }, config({ readinessindicatorfile: "/nonexistent/ready" }), 1],
    [
      "DEL without a cache entry",
      {
        CNI_COMMAND: "DEL",
        CNI_CONTAINERID: "c1",
        CNI_IFNAME: "eth0",
        CNI_ARGS: "K8S_POD_NAMESPACE=a;K8S_POD_NAME=b",
      },
      config({}),
      0,
    ],
  ])("%s: no Kubernetes client, HTTP, YAML, gRPC or commander", async (_label, env, stdin, exitCode) => {
    const { code, urls } = await loaded(env, stdin());
    expect(code).toBe(exitCode);
    expect(urls).toContainEqual(expect.stringContaining("/src/cni/engine/engine.ts"));
    for (const pattern of FORBIDDEN) expect(urls.filter((u) => pattern.test(u))).toEqual([]);
  });
});
