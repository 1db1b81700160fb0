// One /cni call: parsed as the plugin parses its own invocation, run by the engine of its pod UID and
// container, answered as the plugin prints; a malformed call is a CNI error like the plugin's; a full
// queue is HTTP 503 with code 11; a call whose caller left is not run; a DEL that succeeded is told.
import { describe, expect, it } from "vitest";
import type { NetConf } from "../../../../src/api/netconf.ts";
import { CallHandler } from "../../../../src/cni/server/call-handler.ts";
import type { EngineFactory } from "../../../../src/cni/server/call-handler.ts";
import { RequestQueue } from "../../../../src/cni/server/request-queue.ts";
import type { CniReply } from "../../../../src/cni/protocol/output.ts";
import type { CniRequest } from "../../../../src/cni/protocol/skel.ts";
import { silentLogger } from "../../../../src/common/logger.ts";

const CONFIG = JSON.stringify({
  cniVersion: "1.0.0",
  name: "netclaim-net",
  type: "netclaim",
  clusterNetwork: "/etc/cni/net.d/10-bridge.conflist",
  daemonSocket: "/run/netclaim/cni.sock",
});
const ADD_ENV = {
  CNI_COMMAND: "ADD",
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/x",
  CNI_IFNAME: "eth0",
  CNI_PATH: "/opt/cni/bin",
  CNI_ARGS: "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web;K8S_POD_UID=u-1",
};

function setup(reply: CniReply = { exitCode: 0, stdout: "RESULT" }, queue = new RequestQueue()) {
  const built: { podUid: string; containerId: string }[] = [];
  const handled: { request: CniRequest; netconf: NetConf }[] = [];
  const deleted: string[] = [];
  const engineFor: EngineFactory = (call) => {
    built.push(call);
    return {
      handle: (request, netconf) => {
        handled.push({ request, netconf });
        return Promise.resolve(reply);
      },
    };
  };
  const handler = new CallHandler({
    engineFor,
    queue,
    logger: silentLogger(),
    onDeleted: (id) => deleted.push(id),
  });
  return { handler, built, handled, deleted };
}

const errorOf = (stdout: string) => JSON.parse(stdout) as { cniVersion: string; code: number; msg: string };

describe("CallHandler", () => {
  it("runs the engine of the call's pod UID and container with the parsed request and config", async () => {
    const { handler, built, handled } = setup();
    const answer = await handler.handle({ env: ADD_ENV, config: CONFIG }, () => false);
    expect(answer).toEqual({ status: 200, reply: { exitCode: 0, stdout: "RESULT" } });
    expect(built).toEqual([{ podUid: "u-1", containerId: "c1" }]);
    expect(handled[0]?.request).toMatchObject({ command: "ADD", containerId: "c1", ifName: "eth0" });
    expect(handled[0]?.netconf.daemonSocket).toBe("/run/netclaim/cni.sock");
  });

  it.each([
    { name: "no CNI_COMMAND", env: {}, config: CONFIG, code: 4, version: "1.0.0" },
    {
      name: "no CNI_CONTAINERID",
      env: { ...ADD_ENV, CNI_CONTAINERID: undefined },
      config: CONFIG,
      code: 4,
      version: "1.0.0",
    },
    { name: "a config that is not JSON", env: ADD_ENV, config: "{", code: 6, version: "1.1.0" },
    {
      name: "a bad field",
      env: ADD_ENV,
      config: JSON.stringify({ ...JSON.parse(CONFIG), namespaceIsolation: "yes" }),
      code: 7,
      version: "1.0.0",
    },
  ])(
    "answers $name as the plugin would: code $code, without an engine",
    async ({ env, config, code, version }) => {
      const { handler, built } = setup();
      const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const answer = await handler.handle({ env: clean, config }, () => false);
      expect(answer.status).toBe(200);
      expect(answer.reply.exitCode).toBe(1);
      expect(errorOf(answer.reply.stdout)).toMatchObject({ code, cniVersion: version });
      expect(built).toEqual([]);
    },
  );

  it("answers VERSION itself", async () => {
    const { handler, built } = setup();
    const answer = await handler.handle({ env: { CNI_COMMAND: "VERSION" }, config: "{}" }, () => false);
    expect(JSON.parse(answer.reply.stdout)).toMatchObject({ cniVersion: "1.1.0" });
    expect(built).toEqual([]);
  });

  it("tells of a DEL that succeeded, not of one that failed", async () => {
    const del = { ...ADD_ENV, CNI_COMMAND: "DEL" };
    const ok = setup({ exitCode: 0, stdout: "" });
    await ok.handler.handle({ env: del, config: CONFIG }, () => false);
    expect(ok.deleted).toEqual(["c1"]);
    const failing = setup({ exitCode: 1, stdout: '{"code":101}' });
    await failing.handler.handle({ env: del, config: CONFIG }, () => false);
    expect(failing.deleted).toEqual([]);
  });

  it("does not run a call whose caller went away while it waited", async () => {
    const { handler, built } = setup();
    const answer = await handler.handle({ env: ADD_ENV, config: CONFIG }, () => true);
    expect(answer.reply.exitCode).toBe(1);
    expect(built).toEqual([]);
  });

  it("answers 503 with code 11 in the config's version when the queue is full", async () => {
    const queue = new RequestQueue({ attachConcurrency: 1, detachConcurrency: 1, maxQueued: 0 });
    let release: () => void = () => undefined;
    const blocker = queue.run("attach", "x", () => new Promise<void>((resolve) => (release = resolve)));
    await queue.run("status", "", () => Promise.resolve());
    const { handler } = setup(undefined, queue);
    const second = queue.run("detach", "y", () => new Promise<void>((resolve) => setImmediate(resolve)));
    const answer = await handler.handle({ env: ADD_ENV, config: CONFIG }, () => false);
    expect(answer.status).toBe(503);
    expect(errorOf(answer.reply.stdout)).toMatchObject({
      cniVersion: "1.0.0",
      code: 11,
      msg: expect.stringContaining("try again later") as unknown,
    });
    release();
    await Promise.all([blocker, second]);
  });
});
