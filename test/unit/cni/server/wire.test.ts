// The /cni wire format both sides share: what a request body must hold (only CNI_* variables travel),
// what counts as an answer.
import { describe, expect, it } from "vitest";
import { cniEnvOf, parseCniCallBody, parseCniCallReply } from "../../../../src/cni/server/wire.ts";

describe("cniEnvOf", () => {
  it("keeps the six CNI_* variables, drops everything else and unset ones", () => {
    const env = {
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: "c1",
      CNI_NETNS: "/var/run/netns/x",
      CNI_IFNAME: "eth0",
      CNI_ARGS: "K8S_POD_NAME=p",
      CNI_PATH: "/opt/cni/bin",
      PATH: "/usr/bin",
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
      CNI_EXTRA: "x",
      HOME: undefined,
    };
    expect(cniEnvOf(env)).toEqual({
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: "c1",
      CNI_NETNS: "/var/run/netns/x",
      CNI_IFNAME: "eth0",
      CNI_ARGS: "K8S_POD_NAME=p",
      CNI_PATH: "/opt/cni/bin",
    });
    expect(cniEnvOf({ CNI_COMMAND: "DEL" })).toEqual({ CNI_COMMAND: "DEL" });
  });
});

describe("parseCniCallBody", () => {
  it.each([
    { name: "not JSON", text: "{", want: { error: "the request body is not JSON" } },
    { name: "an array", text: "[]", want: { error: "the request body is not a JSON object" } },
    { name: "no env", text: '{"config":"{}"}', want: { error: 'the request has no "env" object' } },
    {
      name: "env an array",
      text: '{"env":[],"config":""}',
      want: { error: 'the request has no "env" object' },
    },
    { name: "no config", text: '{"env":{}}', want: { error: 'the request has no "config" string' } },
    {
      name: "config not a string (Multus's base64 bytes are a string too, but an object is not)",
      text: '{"env":{},"config":{}}',
      want: { error: 'the request has no "config" string' },
    },
    {
      name: "a CNI variable that is not a string",
      text: '{"env":{"CNI_COMMAND":1},"config":""}',
      want: { error: "env CNI_COMMAND is not a string" },
    },
    {
      name: "a call, other variables dropped",
      text: JSON.stringify({ env: { CNI_COMMAND: "DEL", PATH: "/bin", X: 1 }, config: '{"name":"n"}' }),
      want: { env: { CNI_COMMAND: "DEL" }, config: '{"name":"n"}' },
    },
  ])("$name", ({ text, want }) => {
    expect(parseCniCallBody(text)).toEqual(want);
  });
});

describe("parseCniCallReply", () => {
  it.each([
    { text: '{"exitCode":0,"stdout":""}', want: { exitCode: 0, stdout: "" } },
    { text: '{"exitCode":1,"stdout":"{\\"code\\":11}"}', want: { exitCode: 1, stdout: '{"code":11}' } },
    { text: '{"exitCode":2,"stdout":""}', want: undefined },
    { text: '{"exitCode":0}', want: undefined },
    { text: '{"Result":{}}', want: undefined },
    { text: "ok", want: undefined },
  ])("$text", ({ text, want }) => {
    expect(parseCniCallReply(text)).toEqual(want);
  });
});
