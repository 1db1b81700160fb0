// Creating correlation's ports, and a read the checkpoint settles, load no gRPC code: @grpc/grpc-js and
// the protos come in only when PodResources is really asked. Seen through a module load hook in a real
// process on the pinned Node.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serializeCheckpoint } from "../../../../src/api/checkpoint.ts";
import { checkpointOf, preparedDevice } from "./support.ts";

const factory = new URL("../../../../src/cni/correlation/create-device-source.ts", import.meta.url).href;
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
  dir = await mkdtemp(join(tmpdir(), "nc-lazy-grpc-"));
  await writeFile(join(dir, "hook.mjs"), HOOK);
  const checkpoint = checkpointOf({
    "c-1": { name: "net", podUIDs: ["pod-uid"], devices: [preparedDevice("nic0")] },
  });
  await writeFile(join(dir, "checkpoint.json"), serializeCheckpoint(checkpoint));
  // a file where the socket should be: PodResources is opened (and fails to connect)
  await writeFile(join(dir, "not-a-socket.sock"), "");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function script(resourceName: string, socket: string): string {
  return `
const { createCorrelationPorts } = await import(${JSON.stringify(factory)});
const { silentLogger } = await import(${JSON.stringify(new URL("../../../../src/common/logger.ts", import.meta.url).href)});
const ports = createCorrelationPorts({
  driverName: "netclaim.dev",
  podResourcesSocket: ${JSON.stringify(socket)},
  checkpointPath: ${JSON.stringify(join(dir, "checkpoint.json"))},
  logger: silentLogger(),
});
const answer = await ports.deviceSource.devicesFor({
  pod: { namespace: "ns1", name: "p", uid: "pod-uid" },
  needs: [{ index: 1, network: "ns1/n", resourceName: ${JSON.stringify(resourceName)} }],
});
process.stdout.write(JSON.stringify(answer.consulted));
`;
}

function run(
  resourceName: string,
  socket = join(dir, "kubelet.sock"),
): Promise<{ stdout: string; urls: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", join(dir, "hook.mjs"), "--input-type=module", "-e", script(resourceName, socket)],
      (err, stdout, stderr) => {
        if (err !== null) reject(new Error(stderr));
        const urls = stderr
          .split("\n")
          .filter((l) => l.startsWith("LOADED "))
          .map((l) => l.slice("LOADED ".length));
        resolve({ stdout, urls });
      },
    );
  });
}

it("settled by the checkpoint: no gRPC, no PodResources", async () => {
  const { stdout, urls } = await run("sf-pool-1");
  expect(stdout).toBe('["checkpoint"]');
  expect(urls.filter((u) => /@grpc|pod-resources-client|kubelet-grpc/.test(u))).toEqual([]);
});

it("not settled: PodResources is asked (its socket is missing here, so still no gRPC)", async () => {
  const { stdout, urls } = await run("other");
  expect(stdout).toBe('["checkpoint"]');
  expect(urls.filter((u) => /@grpc|pod-resources-client/.test(u))).toEqual([]);
});

it("asked with a socket present: gRPC is loaded then", async () => {
  const { stdout, urls } = await run("other", join(dir, "not-a-socket.sock"));
  expect(stdout).toBe('["checkpoint"]');
  expect(urls.some((u) => u.includes("@grpc/grpc-js"))).toBe(true);
  expect(urls.some((u) => u.endsWith("/pod-resources-client.ts"))).toBe(true);
});
