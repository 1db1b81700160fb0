// The post-install check of the plugin: which command runs it for each mode (chroot into the host root,
// or directly), what it is given (VERSION, a config on stdin), and what counts as broken.
import { describe, expect, it } from "vitest";
import { verifyCommand, verifyShim } from "../../../../src/cni/install/verify-shim.ts";
import type { VerifyMode } from "../../../../src/cni/install/verify-shim.ts";
import { FakeExec } from "../../../fakes/exec.ts";

describe("verifyCommand", () => {
  const cases: { mode: VerifyMode; hostRoot: string; want: { cmd: string; args: string[] } | undefined }[] = [
    { mode: "auto", hostRoot: "/host", want: { cmd: "chroot", args: ["/host", "/opt/cni/bin/netclaim"] } },
    { mode: "auto", hostRoot: "/", want: { cmd: "/host/opt/cni/bin/netclaim", args: [] } },
    { mode: "direct", hostRoot: "/host", want: { cmd: "/host/opt/cni/bin/netclaim", args: [] } },
    { mode: "chroot", hostRoot: "/", want: { cmd: "chroot", args: ["/", "/opt/cni/bin/netclaim"] } },
    { mode: "off", hostRoot: "/host", want: undefined },
  ];
  it.each(cases)("$mode with host root $hostRoot", ({ mode, hostRoot, want }) => {
    expect(verifyCommand(mode, hostRoot, "/opt/cni/bin/netclaim", "/host/opt/cni/bin/netclaim")).toEqual(
      want,
    );
  });
});

describe("verifyShim", () => {
  const command = { cmd: "chroot", args: ["/host", "/opt/cni/bin/netclaim"] };

  it("runs VERSION with a config on stdin and accepts a version answer", async () => {
    const exec = new FakeExec().on("chroot", {
      code: 0,
      stdout: '{"cniVersion":"1.1.0","supportedVersions":["1.0.0"]}',
    });
    await verifyShim(exec, command);
    const [call] = exec.calls;
    expect(call?.args).toEqual(["/host", "/opt/cni/bin/netclaim"]);
    expect(call?.options.env?.CNI_COMMAND).toBe("VERSION");
    expect(JSON.parse(call?.stdinText ?? "")).toMatchObject({ cniVersion: "1.0.0" });
    expect(call?.options.timeoutMs).toBeGreaterThan(0);
  });

  const broken: { name: string; reply: { code: number; stdout?: string; stderr?: string }; want: RegExp }[] =
    [
      {
        name: "missing host libraries",
        reply: { code: 127, stderr: "error while loading shared libraries: libstdc++.so.6" },
        want: /exit 127\): error while loading shared libraries: libstdc\+\+\.so\.6/,
      },
      {
        name: "exit 0 without a version answer",
        reply: { code: 0, stdout: "hello" },
        want: /exit 0\): hello/,
      },
      { name: "a CNI error", reply: { code: 1, stdout: '{"code":100,"msg":"boom"}' }, want: /boom/ },
    ];
  it.each(broken)("refuses $name", async ({ reply, want }) => {
    const exec = new FakeExec().on("chroot", reply);
    await expect(verifyShim(exec, command)).rejects.toMatchObject({
      code: "SHIM_BROKEN",
      message: expect.stringMatching(want) as string,
    });
  });
});
