// `netclaim cni` as a whole: in-process with a scripted engine (what reaches stdout, the exit code, what
// is built when), and as a real process (nothing but the reply on stdout, exit 0/1).
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { NetConf } from "../../../../src/api/netconf.ts";
import { runCni } from "../../../../src/cni/main.ts";
import type { CniDeps, CniIo } from "../../../../src/cni/main.ts";
import type { CniEngine } from "../../../../src/cni/engine/engine.ts";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import type { CniReply } from "../../../../src/cni/protocol/output.ts";
import type { CniRequest } from "../../../../src/cni/protocol/skel.ts";
import { captureLogger } from "../../../fakes/logger.ts";

const ADD_ENV = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "abc123",
  CNI_NETNS: "/var/run/netns/x",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/opt/cni/bin",
  CNI_ARGS: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p",
};
const CONFIG = { cniVersion: "0.4.0", name: "netclaim-net", type: "netclaim", clusterNetwork: "cluster" };

interface Run {
  exitCode: number;
  stdout: string[];
  stderr: string[];
  handled: { request: CniRequest; netconf: NetConf }[];
  closed: number;
  log: ReturnType<typeof captureLogger>;
}

async function run(
  env: Record<string, string>,
  stdin: string,
  handle: (request: CniRequest) => Promise<CniReply> = () =>
    Promise.resolve({ stdout: '{"ok":1}', exitCode: 0 }),
): Promise<Run> {
  const out: Run = { exitCode: -1, stdout: [], stderr: [], handled: [], closed: 0, log: captureLogger() };
  const io: CniIo = {
    env,
    readStdin: () => Promise.resolve(Buffer.from(stdin)),
    writeStdout: (text) => {
      out.stdout.push(text);
      return Promise.resolve();
    },
    writeStderr: (text) => void out.stderr.push(text),
  };
  const deps: CniDeps = {
    createLogger: () => Promise.resolve(out.log.logger),
    createEngine: () => {
      const engine = {
        handle: (request: CniRequest, netconf: NetConf) => {
          out.handled.push({ request, netconf });
          return handle(request);
        },
      } as unknown as CniEngine;
      return Promise.resolve({ engine, close: () => void out.closed++ });
    },
  };
  out.exitCode = await runCni(io, deps);
  return out;
}

const errorOf = (r: Run) =>
  JSON.parse(r.stdout.join("")) as { cniVersion: string; code: number; msg: string; details?: string };

describe("runCni", () => {
  it("answers VERSION without building an engine", async () => {
    const r = await run({ CNI_COMMAND: "VERSION" }, "");
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout.join(""))).toEqual({
      cniVersion: "1.1.0",
      supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
    });
    expect(r.handled).toEqual([]);
  });

  it("passes the request and the parsed config to the engine and prints its reply", async () => {
    const r = await run(ADD_ENV, JSON.stringify(CONFIG));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toEqual(['{"ok":1}']);
    expect(r.handled).toHaveLength(1);
    expect(r.handled[0]?.request).toMatchObject({ command: "ADD", containerId: "abc123", ifName: "eth0" });
    expect(r.handled[0]?.netconf).toMatchObject({ clusterNetwork: "cluster", cniVersion: "0.4.0" });
    expect(r.closed).toBe(1);
  });

  it("logs the config's warnings", async () => {
    const r = await run(ADD_ENV, JSON.stringify({ ...CONFIG, delegates: [{ name: "x", type: "bridge" }] }));
    expect(r.log.lines()).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: '"delegates" is ignored because "clusterNetwork" is set',
      }),
    );
  });

  const failures: {
    name: string;
    env: Record<string, string>;
    stdin: string;
    code: number;
    msg: RegExp;
    version?: string;
  }[] = [
    {
      name: "no CNI_COMMAND",
      env: {},
      stdin: JSON.stringify(CONFIG),
      code: 4,
      msg: /^required env variables \[CNI_COMMAND\] missing$/,
      version: "0.4.0",
    },
    {
      name: "a missing CNI_NETNS on ADD",
      env: { ...ADD_ENV, CNI_NETNS: "" },
      stdin: JSON.stringify(CONFIG),
      code: 4,
      msg: /CNI_NETNS/,
    },
    {
      name: "stdin that is not JSON",
      env: ADD_ENV,
      stdin: "{nope",
      code: 6,
      msg: /failed to decode the network configuration on stdin/,
      version: "1.1.0",
    },
    {
      name: "a config without a network",
      env: ADD_ENV,
      stdin: JSON.stringify({ cniVersion: "1.0.0", name: "n", type: "netclaim" }),
      code: 7,
      msg: /at least one of "clusterNetwork" or "delegates" must be given/,
      version: "1.0.0",
    },
    {
      name: "a field of the wrong type",
      env: ADD_ENV,
      stdin: JSON.stringify({ ...CONFIG, namespaceIsolation: "yes" }),
      code: 7,
      msg: /field "namespaceIsolation"/,
    },
    {
      name: "an unsupported cniVersion",
      env: ADD_ENV,
      stdin: JSON.stringify({ ...CONFIG, cniVersion: "9.9.9" }),
      code: 1,
      msg: /incompatible CNI versions/,
    },
    {
      name: "daemonSocket where no CNI server listens (thick mode: the shim, test/unit/cni/server)",
      env: ADD_ENV,
      stdin: JSON.stringify({ ...CONFIG, daemonSocket: "/nonexistent/netclaim/cni.sock" }),
      code: 110,
      msg: /^ADD: the netclaim CNI server at \/nonexistent\/netclaim\/cni.sock is not reachable \(ENOENT\)/,
    },
  ];

  it.each(failures)(
    "answers a CNI error for $name, without an engine",
    async ({ env, stdin, code, msg, version }) => {
      const r = await run(env, stdin);
      expect(r.exitCode).toBe(1);
      const err = errorOf(r);
      expect(err.code).toBe(code);
      expect(err.msg).toMatch(msg);
      if (version !== undefined) expect(err.cniVersion).toBe(version);
      expect(r.handled).toEqual([]);
    },
  );

  it("turns an unexpected exception of the engine into code 100 and still closes", async () => {
    const r = await run(ADD_ENV, JSON.stringify(CONFIG), () =>
      Promise.reject(new TypeError("x is undefined")),
    );
    expect(r.exitCode).toBe(1);
    expect(errorOf(r)).toEqual({ cniVersion: "0.4.0", code: 100, msg: "x is undefined" });
    expect(r.closed).toBe(1);
  });

  it("keeps a coded failure's code and details", async () => {
    const failure = new CniError("KUBE_API", "get pod ns1/p", { details: "connection refused" });
    const r = await run(ADD_ENV, JSON.stringify(CONFIG), () => Promise.reject(failure));
    expect(errorOf(r)).toEqual({
      cniVersion: "0.4.0",
      code: 103,
      msg: "get pod ns1/p",
      details: "connection refused",
    });
  });
});

const cli = new URL("../../../../src/cli/main.ts", import.meta.url).pathname;

function spawnCni(
  env: Record<string, string>,
  stdin: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, "cni"],
      { env: { PATH: process.env.PATH ?? "", ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? -1), stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

describe("the netclaim cni process", () => {
  it("prints the version answer and exits 0", async () => {
    const r = await spawnCni({ CNI_COMMAND: "VERSION" }, '{"cniVersion":"1.0.0"}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cniVersion: "1.1.0" });
  });

  it.each([
    ["a bad config", ADD_ENV, JSON.stringify({ ...CONFIG, logLevel: 3 }), 7],
    ["an unknown command", { CNI_COMMAND: "FROB" }, "{}", 4],
    [
      "a config naming a kubeconfig that does not exist",
      { ...ADD_ENV, CNI_ARGS: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p;K8S_POD_UID=u" },
      JSON.stringify({ ...CONFIG, kubeconfig: "/nonexistent/kubeconfig", cniDir: "/tmp/nc-cni-main-test" }),
      103,
    ],
  ])("prints only the error JSON for %s and exits 1", async (_label, env, stdin, code) => {
    const r = await spawnCni(env, stdin);
    expect(r.code).toBe(1);
    const reply = JSON.parse(r.stdout) as { code: number; msg: string };
    expect(reply.code).toBe(code);
    expect(r.stdout).not.toMatch(/\n\s+at /); // no stack trace
  });
});
