import { describe, expect, it } from "vitest";
import { CodedError } from "../../../../src/common/errors.ts";
import { DelegateError } from "../../../../src/cni/delegate/delegate-error.ts";
import type { DelegateRequest } from "../../../../src/cni/delegate/delegate-types.ts";
import { DEFAULT_DELEGATE_TIMEOUT_MS, runDelegate } from "../../../../src/cni/delegate/run-delegate.ts";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import { BIN_DIRS, cniFailure, fakeStat, ok, testRunner } from "./support.ts";

const attachment = {
  containerID: "abc123",
  netns: "/run/netns/pod",
  ifName: "net1",
  cniArgs: "IgnoreUnknown=1;K8S_POD_NAME=web",
};
const stdin = { cniVersion: "1.0.0", name: "n1", type: "bridge", bridge: "br0" };
const addRequest: DelegateRequest = { command: "ADD", type: "bridge", stdin, attachment };
const result = { cniVersion: "1.0.0", interfaces: [{ name: "net1" }], ips: [] };

async function failureOf(promise: Promise<unknown>): Promise<DelegateError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof DelegateError)) throw new Error(`expected a DelegateError, got ${String(err)}`);
  return err;
}

describe("DelegateRunner.run", () => {
  it("runs the plugin by path with the exact environment, stdin and timeout", async () => {
    const { exec, runner } = testRunner(["bridge"], { timeoutMs: 1234 });
    exec.on("/opt/cni/bin/bridge", ok(result, "some log"));
    const out = await runner.run(addRequest);
    expect(out).toEqual({ pluginPath: "/opt/cni/bin/bridge", output: result, stderr: "some log" });
    expect(exec.calls).toHaveLength(1);
    const [call] = exec.calls;
    expect(call?.args).toEqual([]);
    expect(call?.stdinText).toBe(JSON.stringify(stdin));
    expect(call?.options.timeoutMs).toBe(1234);
    expect(call?.options.env).toEqual({
      PATH: "/usr/bin:/bin",
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: "abc123",
      CNI_NETNS: "/run/netns/pod",
      CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=web",
      CNI_IFNAME: "net1",
      CNI_PATH: BIN_DIRS.join(":"),
    });
  });

  it("defaults to a 60 s timeout and an empty inherited environment", async () => {
    const exec = new FakeExec().on(() => true, ok(result));
    await runDelegate({ exec, binDirs: ["/d"], statFile: fakeStat({ "/d/bridge": 1 }) }, addRequest);
    expect(exec.calls[0]?.options.timeoutMs).toBe(DEFAULT_DELEGATE_TIMEOUT_MS);
    expect(Object.keys(exec.calls[0]?.options.env ?? {}).every((k) => k.startsWith("CNI_"))).toBe(true);
  });

  it("does not run anything when the plugin is not found", async () => {
    const { exec, runner } = testRunner([]);
    const err = await runner.run(addRequest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CniError);
    expect(err).toMatchObject({
      code: "DELEGATE_NOT_FOUND",
      message: `no executable for plugin type "bridge" in ${BIN_DIRS.join(", ")}`,
    });
    expect(exec.calls).toEqual([]);
  });

  it.each([
    {
      name: "ADD result without cniVersion gets the config's",
      command: "ADD" as const,
      stdout: '{"interfaces":[]}',
      want: { cniVersion: "1.0.0", interfaces: [] },
    },
    {
      name: "ADD result with its own cniVersion keeps it",
      command: "ADD" as const,
      stdout: '{"cniVersion":"0.4.0","ips":[]}',
      want: { cniVersion: "0.4.0", ips: [] },
    },
    { name: "DEL printing nothing", command: "DEL" as const, stdout: "", want: undefined },
    {
      name: "DEL printing garbage (ignored, as libcni does)",
      command: "DEL" as const,
      stdout: "deleted!",
      want: undefined,
    },
    {
      name: "CHECK printing a JSON array (ignored)",
      command: "CHECK" as const,
      stdout: "[]",
      want: undefined,
    },
    {
      name: "VERSION",
      command: "VERSION" as const,
      stdout: '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}',
      want: { cniVersion: "1.0.0", supportedVersions: ["1.0.0"] },
    },
  ])("$name", async ({ command, stdout, want }) => {
    const { exec, runner } = testRunner(["bridge"]);
    exec.on(() => true, { code: 0, stdout: `${stdout}\n` });
    const out = await runner.run({ ...addRequest, command });
    expect(out.output).toEqual(want);
    expect(exec.calls[0]?.options.env?.CNI_COMMAND).toBe(command);
  });

  it.each([
    {
      name: "ADD printing nothing",
      command: "ADD" as const,
      stdout: "",
      message: "plugin bridge failed (add): printed no result",
    },
    {
      name: "ADD printing garbage",
      command: "ADD" as const,
      stdout: "ok then",
      message: 'plugin bridge failed (add): printed something that is not JSON: "ok then"',
    },
    {
      name: "ADD printing an array",
      command: "ADD" as const,
      stdout: "[1,2]",
      message: 'plugin bridge failed (add): printed JSON that is not an object: "[1,2]"',
    },
    {
      name: "VERSION printing nothing",
      command: "VERSION" as const,
      stdout: "",
      message: "plugin bridge failed (version): printed no version",
    },
  ])("bad output: $name", async ({ command, stdout, message }) => {
    const { exec, runner } = testRunner(["bridge"]);
    exec.on(() => true, { code: 0, stdout });
    const err = await failureOf(runner.run({ ...addRequest, command }));
    expect(err.message).toBe(message);
    expect(err.failure).toBe("bad-output");
  });

  it("reads the plugin's CNI error on a non-zero exit, with the stderr tail but never in the message", async () => {
    const { exec, runner } = testRunner(["bridge"]);
    exec.on(() => true, { ...cniFailure(11, "busy", "retry"), stderr: "trace line" });
    const err = await failureOf(runner.run(addRequest));
    expect(err).toMatchObject({
      failure: "plugin-error",
      plugin: "bridge",
      pluginPath: "/opt/cni/bin/bridge",
      command: "ADD",
      exitCode: 1,
      pluginError: { code: 11, msg: "busy", details: "retry" },
      stderrTail: "trace line",
      details: "retry",
    });
    expect(err.message).toBe("plugin bridge failed (add): [code 11] busy; retry");
  });

  it("turns a timeout into a DelegateError saying so", async () => {
    const { exec, runner } = testRunner(["bridge"], { timeoutMs: 50 });
    exec.on(() => true, {
      error: new CodedError("TIMEOUT", "command /opt/cni/bin/bridge timed out after 50ms"),
    });
    const err = await failureOf(runner.run(addRequest));
    expect(err.failure).toBe("timeout");
    expect(err.message).toBe("plugin bridge failed (add): timed out after 50ms and was killed");
    expect(err.cause).toBeInstanceOf(CodedError);
  });

  it("turns a failure to start into exec-failed", async () => {
    const { exec, runner } = testRunner(["bridge"]);
    exec.on(() => true, {
      error: new CodedError("EXEC_NOT_EXECUTABLE", "not executable: /opt/cni/bin/bridge"),
    });
    const err = await failureOf(runner.run(addRequest));
    expect(err.failure).toBe("exec-failed");
    expect(err.message).toBe("plugin bridge failed (add): could not be run: /opt/cni/bin/bridge");
  });

  it("retries a plugin that is being written (text file busy), 1 s apart", async () => {
    const clock = new FakeClock();
    const { exec, runner } = testRunner(["bridge"], { clock });
    const busy = Object.assign(new Error("spawn ETXTBSY"), { code: "ETXTBSY" });
    exec.once(() => true, { error: new CodedError("INTERNAL", "run bridge", { cause: busy }) });
    exec.once(() => true, ok(result));
    const pending = runner.run(addRequest);
    await flushMicrotasks();
    expect(exec.calls).toHaveLength(1);
    clock.advance(1000);
    await expect(pending).resolves.toMatchObject({ output: result });
    expect(exec.calls).toHaveLength(2);
  });

  it("passes the abort signal to the Exec", async () => {
    const { exec, runner } = testRunner(["bridge"]);
    exec.on(() => true, ok(result));
    const controller = new AbortController();
    await runner.run(addRequest, { signal: controller.signal });
    expect(exec.calls[0]?.options.signal).toBe(controller.signal);
  });
});
