// `netclaim cni` with `daemonSocket`: in-process through runCni (the answer printed unchanged, the local
// DEL run offline when nobody listens), and as a real process: the modules the shim loads (no config
// schemas, no engine, no Kubernetes client, no undici) and its answer when the server is not there.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NetConf } from "../../../../src/api/netconf.ts";
import { daemonSocketOf, runCni } from "../../../../src/cni/main.ts";
import type { CniDeps, CniIo } from "../../../../src/cni/main.ts";
import type { CniEngine } from "../../../../src/cni/engine/engine.ts";
import type { CniReply } from "../../../../src/cni/protocol/output.ts";
import type { CniRequest } from "../../../../src/cni/protocol/skel.ts";
import type { ForwardCall, ForwardOutcome } from "../../../../src/cni/shim/forward.ts";
import { silentLogger } from "../../../../src/common/logger.ts";

const DEL_ENV = {
  CNI_COMMAND: "DEL",
  CNI_CONTAINERID: "c1",
  CNI_IFNAME: "eth0",
  CNI_ARGS: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p",
  KUBERNETES_SERVICE_HOST: "10.96.0.1",
  KUBERNETES_SERVICE_PORT: "443",
};
const CONFIG = {
  cniVersion: "1.0.0",
  name: "netclaim-net",
  type: "netclaim",
  clusterNetwork: "/etc/cni/net.d/10-bridge.conflist",
  kubeconfig: "/etc/cni/net.d/multus.d/multus.kubeconfig",
  daemonSocket: "/run/netclaim/cni.sock",
};

interface Run {
  exitCode: number;
  stdout: string;
  forwarded: ForwardCall[];
  engines: { netconf: NetConf; env: unknown }[];
  handled: CniRequest[];
}

async function run(
  env: Record<string, string>,
  outcome: ForwardOutcome,
  engineReply: CniReply = { exitCode: 0, stdout: "" },
): Promise<Run> {
  const out: Run = { exitCode: -1, stdout: "", forwarded: [], engines: [], handled: [] };
  const io: CniIo = {
    env,
    readStdin: () => Promise.resolve(Buffer.from(JSON.stringify(CONFIG))),
    writeStdout: (text) => {
      out.stdout += text;
      return Promise.resolve();
    },
    writeStderr: () => undefined,
  };
  const deps: CniDeps = {
    createLogger: () => Promise.resolve(silentLogger()),
    createEngine: (netconf, _logger, engineEnv) => {
      out.engines.push({ netconf, env: engineEnv });
      const engine = {
        handle: (request: CniRequest) => {
          out.handled.push(request);
          return Promise.resolve(engineReply);
        },
      } as unknown as CniEngine;
      return Promise.resolve({ engine, close: () => undefined });
    },
    forward: (call) => {
      out.forwarded.push(call);
      return Promise.resolve(outcome);
    },
  };
  out.exitCode = await runCni(io, deps);
  return out;
}

describe("daemonSocketOf", () => {
  it.each([
    {
      stdin: '{"daemonSocket":"/run/x.sock","cniVersion":"1.0.0"}',
      want: { socketPath: "/run/x.sock", cniVersion: "1.0.0" },
    },
    { stdin: '{"daemonSocket":""}', want: undefined },
    { stdin: '{"daemonSocket":true}', want: undefined },
    { stdin: '{"daemonSocket":"/a\\u0000b"}', want: undefined },
    { stdin: "[1]", want: undefined },
    { stdin: "not json", want: undefined },
  ])("$stdin", ({ stdin, want }) => {
    expect(daemonSocketOf(Buffer.from(stdin))).toEqual(want);
  });
});

describe("runCni with daemonSocket", () => {
  it("prints the server's answer and exit code, building no engine", async () => {
    const r = await run(
      { ...DEL_ENV, CNI_COMMAND: "ADD", CNI_NETNS: "/n" },
      {
        kind: "answered",
        status: 200,
        reply: { exitCode: 0, stdout: '{"cniVersion":"1.0.0"}' },
      },
    );
    expect(r).toMatchObject({ exitCode: 0, stdout: '{"cniVersion":"1.0.0"}', engines: [] });
    expect(r.forwarded[0]?.socketPath).toBe("/run/netclaim/cni.sock");
    expect(r.forwarded[0]?.body.env).not.toHaveProperty("KUBERNETES_SERVICE_HOST");
  });

  it("runs a DEL here, offline, when nobody listens: no kubeconfig, no in-cluster variables", async () => {
    const r = await run(DEL_ENV, { kind: "down", reason: "ENOENT" });
    expect(r.exitCode).toBe(0);
    expect(r.handled.map((h) => h.command)).toEqual(["DEL"]);
    expect(r.engines).toHaveLength(1);
    expect(r.engines[0]?.netconf.kubeconfig).toBe("");
    expect(r.engines[0]?.env).not.toHaveProperty("KUBERNETES_SERVICE_HOST");
    expect(r.engines[0]?.env).not.toHaveProperty("KUBERNETES_SERVICE_PORT");
    expect(r.engines[0]?.env).toHaveProperty("CNI_COMMAND", "DEL");
  });

  it("says why when the local DEL fails too", async () => {
    const failed = {
      exitCode: 1 as const,
      stdout: JSON.stringify({ cniVersion: "1.0.0", code: 109, msg: "corrupt entry" }),
    };
    const r = await run(DEL_ENV, { kind: "down", reason: "ECONNREFUSED" }, failed);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      cniVersion: "1.0.0",
      code: 109,
      msg:
        "the netclaim CNI server at /run/netclaim/cni.sock is not running (ECONNREFUSED); DEL ran here from " +
        "the attachment cache: corrupt entry",
    });
  });

  it("does not run an ADD here: code 110", async () => {
    const r = await run(
      { ...DEL_ENV, CNI_COMMAND: "ADD", CNI_NETNS: "/n" },
      { kind: "down", reason: "ENOENT" },
    );
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ cniVersion: "1.0.0", code: 110 });
    expect(r.engines).toEqual([]);
  });
});

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

describe("the shim as a process", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nc-shim-"));
    await writeFile(join(dir, "hook.mjs"), HOOK);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the shim's few modules only, and answers ADD with code 110 naming the socket", async () => {
    const socket = join(dir, "cni.sock");
    const { code, stdout, urls } = await new Promise<{ code: number; stdout: string; urls: string[] }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ["--import", join(dir, "hook.mjs"), cli, "cni"],
          {
            env: {
              PATH: process.env.PATH ?? "",
              CNI_COMMAND: "ADD",
              CNI_CONTAINERID: "c",
              CNI_NETNS: "/n",
              CNI_IFNAME: "eth0",
            },
          },
          (err, out, stderr) => {
            const loaded = stderr
              .split("\n")
              .filter((l) => l.startsWith("LOADED "))
              .map((l) => l.slice(7));
            resolve({
              code: err === null ? 0 : ((err as { code?: number }).code ?? -1),
              stdout: out,
              urls: loaded,
            });
          },
        );
        child.stdin?.end(JSON.stringify({ ...CONFIG, daemonSocket: socket }));
      },
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ code: 110, msg: expect.stringContaining(socket) as unknown });
    const ours = urls
      .filter((u) => u.includes("/src/"))
      .map((u) => u.slice(u.indexOf("/src/")))
      .sort();
    expect(ours).toEqual([
      "/src/cli/main.ts",
      "/src/cni/main.ts",
      "/src/cni/protocol/errors.ts",
      "/src/cni/protocol/version.ts",
      "/src/cni/server/wire.ts",
      "/src/cni/shim/forward.ts",
      "/src/cni/shim/http-answer.ts",
      "/src/cni/shim/shim.ts",
      "/src/common/errors.ts",
    ]);
    expect(urls.filter((u) => !u.startsWith("node:") && !u.includes("/src/"))).toEqual([]); // no package
    // node:http is not loaded at all: the request goes over node:net
    expect(urls.filter((u) => u.startsWith("node:"))).not.toContainEqual(
      expect.stringMatching(/undici|https?$/),
    );
  });
});
