// The shim's decisions when the CNI server cannot be asked, per command and kind of failure, and one
// forwarded call: what it sends (CNI_* variables, stdin as text) and what it prints.
import { describe, expect, it } from "vitest";
import { decideShimReply, runShim, shimError } from "../../../../src/cni/shim/shim.ts";
import type { ShimDecision } from "../../../../src/cni/shim/shim.ts";
import type { ForwardCall, ForwardOutcome } from "../../../../src/cni/shim/forward.ts";

const SOCKET = "/run/netclaim/cni.sock";
const down: ForwardOutcome = { kind: "down", reason: "ECONNREFUSED" };
const lost: ForwardOutcome = { kind: "lost", reason: "socket hang up" };
const failed: ForwardOutcome = { kind: "failed", reason: "no connection within 2000ms" };
const answered: ForwardOutcome = {
  kind: "answered",
  status: 503,
  reply: { exitCode: 1, stdout: '{"code":11}' },
};

type Want = { code: number; msg: RegExp } | "local-del" | "answer";

function summary(decision: ShimDecision): Want | { code: number; msg: string } {
  if (decision.kind === "local-del") return "local-del";
  if (decision.reply.stdout === '{"code":11}') return "answer";
  const error = JSON.parse(decision.reply.stdout) as { code: number; msg: string };
  return { code: error.code, msg: error.msg };
}

describe("decideShimReply", () => {
  const cases: { command: string; outcome: ForwardOutcome; want: Want }[] = [
    { command: "ADD", outcome: answered, want: "answer" },
    { command: "DEL", outcome: answered, want: "answer" },
    {
      command: "ADD",
      outcome: down,
      want: {
        code: 110,
        msg: /^ADD: the netclaim CNI server at \/run\/netclaim\/cni.sock is not reachable \(ECONNREFUSED\): is the netclaim kubelet plugin running/,
      },
    },
    { command: "CHECK", outcome: down, want: { code: 110, msg: /^CHECK: .*cni.sock is not reachable/ } },
    { command: "GC", outcome: down, want: { code: 110, msg: /^GC: .*not reachable/ } },
    { command: "DEL", outcome: down, want: "local-del" },
    {
      command: "STATUS",
      outcome: down,
      want: {
        code: 50,
        msg: /^not ready: the netclaim CNI server at \/run\/netclaim\/cni.sock is not running \(ECONNREFUSED\)$/,
      },
    },
    {
      command: "STATUS",
      outcome: failed,
      want: { code: 50, msg: /did not answer \(no connection within 2000ms\)/ },
    },
    {
      command: "ADD",
      outcome: lost,
      want: { code: 11, msg: /^ADD: .* did not answer \(socket hang up\); try again later$/ },
    },
    { command: "DEL", outcome: lost, want: { code: 11, msg: /^DEL: .* did not answer/ } },
    { command: "DEL", outcome: failed, want: { code: 11, msg: /no connection within 2000ms/ } },
  ];
  it.each(cases)("$command, $outcome.kind", ({ command, outcome, want }) => {
    const got = summary(decideShimReply({ command, outcome, socketPath: SOCKET, cniVersion: "1.0.0" }));
    if (typeof want === "string") expect(got).toBe(want);
    else expect(got).toEqual({ code: want.code, msg: expect.stringMatching(want.msg) as unknown });
  });
});

describe("shimError", () => {
  it.each([
    { cniVersion: "0.4.0", want: "0.4.0" },
    { cniVersion: undefined, want: "0.1.0" },
    { cniVersion: "", want: "0.1.0" },
    { cniVersion: "9.9.9", want: "1.1.0" },
    { cniVersion: 3, want: "1.1.0" },
  ])("answers in version $want for cniVersion $cniVersion", ({ cniVersion, want }) => {
    const reply = shimError(110, "m", cniVersion);
    expect(reply.exitCode).toBe(1);
    expect(JSON.parse(reply.stdout)).toEqual({ cniVersion: want, code: 110, msg: "m" });
  });
});

describe("runShim", () => {
  const env = {
    CNI_COMMAND: "ADD",
    CNI_CONTAINERID: "c1",
    CNI_NETNS: "/var/run/netns/x",
    CNI_IFNAME: "eth0",
    CNI_ARGS: "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p",
    CNI_PATH: "/opt/cni/bin",
    PATH: "/usr/bin",
    KUBERNETES_SERVICE_HOST: "10.0.0.1",
  };

  it("forwards the CNI_* variables and stdin as text, and prints the answer unchanged", async () => {
    const calls: ForwardCall[] = [];
    const reply = await runShim({
      env,
      stdin: Buffer.from('{"name":"n","daemonSocket":"/s"}'),
      socketPath: "/s",
      cniVersion: "1.0.0",
      forward: (call) => {
        calls.push(call);
        return Promise.resolve({ kind: "answered", status: 200, reply: { exitCode: 0, stdout: "RESULT" } });
      },
      localDel: () => Promise.reject(new Error("not expected")),
    });
    expect(reply).toEqual({ exitCode: 0, stdout: "RESULT" });
    expect(calls).toEqual([
      {
        socketPath: "/s",
        body: {
          env: {
            CNI_COMMAND: "ADD",
            CNI_CONTAINERID: "c1",
            CNI_NETNS: "/var/run/netns/x",
            CNI_IFNAME: "eth0",
            CNI_ARGS: "K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p",
            CNI_PATH: "/opt/cni/bin",
          },
          config: '{"name":"n","daemonSocket":"/s"}',
        },
      },
    ]);
  });

  it("runs the DEL locally when nobody listens, telling why", async () => {
    const reasons: string[] = [];
    const reply = await runShim({
      env: { ...env, CNI_COMMAND: "DEL" },
      stdin: Buffer.from("{}"),
      socketPath: "/s",
      cniVersion: "1.0.0",
      forward: () => Promise.resolve({ kind: "down", reason: "ENOENT" }),
      localDel: (reason) => {
        reasons.push(reason);
        return Promise.resolve({ exitCode: 0, stdout: "" });
      },
    });
    expect(reply).toEqual({ exitCode: 0, stdout: "" });
    expect(reasons).toEqual(["the netclaim CNI server at /s is not running (ENOENT)"]);
  });

  it("answers code 6 for stdin that is not UTF-8, without forwarding", async () => {
    let forwarded = 0;
    const reply = await runShim({
      env,
      stdin: Buffer.from([0x7b, 0xff, 0x7d]),
      socketPath: "/s",
      cniVersion: undefined,
      forward: () => {
        forwarded++;
        return Promise.resolve(down);
      },
      localDel: () => Promise.reject(new Error("not expected")),
    });
    expect(forwarded).toBe(0);
    expect(JSON.parse(reply.stdout)).toMatchObject({
      code: 6,
      msg: expect.stringContaining("UTF-8") as unknown,
    });
  });
});
