import { describe, expect, it } from "vitest";
import {
  DelegateError,
  MAX_STDERR_TAIL,
  badOutput,
  parsePluginError,
  pluginFailure,
} from "../../../../src/cni/delegate/delegate-error.ts";
import type { FailedRun } from "../../../../src/cni/delegate/delegate-error.ts";
import { renderCniError, toCniError } from "../../../../src/cni/protocol/errors.ts";

const run: FailedRun = {
  plugin: "bridge",
  pluginPath: "/opt/cni/bin/bridge",
  command: "ADD",
  exitCode: 1,
  signal: null,
  stdout: "",
  stderr: "",
};

describe("parsePluginError", () => {
  it.each([
    {
      name: "full error",
      stdout: '{"code":7,"msg":"bad","details":"why"}',
      want: { code: 7, msg: "bad", details: "why" },
    },
    {
      name: "no details",
      stdout: '{"cniVersion":"1.0.0","code":11,"msg":"later"}',
      want: { code: 11, msg: "later", details: "" },
    },
    { name: "msg only", stdout: '{"msg":"no code"}', want: { code: 0, msg: "no code", details: "" } },
    { name: "not JSON", stdout: "panic: oops", want: undefined },
    { name: "JSON but not an error", stdout: '{"interfaces":[]}', want: undefined },
    { name: "an array", stdout: "[1]", want: undefined },
  ])("$name", ({ stdout, want }) => {
    expect(parsePluginError(stdout)).toEqual(want);
  });
});

describe("pluginFailure", () => {
  it.each([
    {
      name: "CNI error on stdout",
      input: { stdout: '{"code":7,"msg":"invalid config","details":"no bridge"}', stderr: "noise" },
      message: "plugin bridge failed (add): [code 7] invalid config; no bridge",
      pluginError: { code: 7, msg: "invalid config", details: "no bridge" },
    },
    {
      name: "nothing on stdout or stderr",
      input: {},
      message: "plugin bridge failed (add): exit status 1, no error message",
      pluginError: undefined,
    },
    {
      name: "only stderr",
      input: { stderr: "segfault\n" },
      message: 'plugin bridge failed (add): exit status 1, stderr: "segfault"',
      pluginError: undefined,
    },
    {
      name: "garbage on stdout",
      input: { stdout: "panic: runtime error" },
      message:
        'plugin bridge failed (add): exit status 1, and its stdout is not a CNI error: "panic: runtime error"',
      pluginError: undefined,
    },
    {
      name: "killed by a signal",
      input: { exitCode: null, signal: "SIGKILL" as const },
      message: "plugin bridge failed (add): killed by SIGKILL, no error message",
      pluginError: undefined,
    },
  ])("$name", ({ input, message, pluginError }) => {
    const err = pluginFailure({ ...run, ...input });
    expect(err).toBeInstanceOf(DelegateError);
    expect(err.message).toBe(message);
    expect(err.pluginError).toEqual(pluginError);
    expect(err).toMatchObject({
      failure: "plugin-error",
      plugin: "bridge",
      command: "ADD",
      code: "DELEGATE_FAILED",
    });
  });

  it("truncates a long stdout in the message and keeps only the tail of stderr", () => {
    const err = pluginFailure({ ...run, stdout: "x".repeat(2000), stderr: `${"a".repeat(5000)}END` });
    expect(err.message).toContain("(1488 more characters)");
    expect(err.message.length).toBeLessThan(700);
    expect(err.stderrTail.endsWith("END")).toBe(true);
    expect(err.stderrTail.length).toBe(MAX_STDERR_TAIL + 3);
  });

  it("maps to CNI code 101 with the plugin's details when rendered at the edge", () => {
    const err = pluginFailure({ ...run, stdout: '{"code":7,"msg":"invalid config","details":"no bridge"}' });
    const wrapped = new Error('add network "ns/a"', { cause: err });
    expect(toCniError(wrapped).cniCode).toBe(101);
    expect(renderCniError(wrapped, "1.0.0")).toEqual({
      cniVersion: "1.0.0",
      code: 101,
      msg: 'add network "ns/a": plugin bridge failed (add): [code 7] invalid config; no bridge',
      details: "no bridge",
    });
  });
});

describe("badOutput", () => {
  it("names the plugin and what it printed", () => {
    const err = badOutput({ ...run, exitCode: 0, stdout: "hello" }, "printed something that is not JSON");
    expect(err.message).toBe('plugin bridge failed (add): printed something that is not JSON: "hello"');
    expect(err.failure).toBe("bad-output");
  });
});
