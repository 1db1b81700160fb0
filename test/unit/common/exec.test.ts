// ProcessExec against real child processes (the pinned node running small scripts): capture, stdin,
// exit codes and signals, environment and cwd, no shell, spawn failures, timeout, abort and the output
// limit. Then the FakeExec stand-in's rules and recording.
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessExec } from "../../../src/common/exec.ts";
import type { ExecOptions, ExecResult } from "../../../src/common/exec.ts";
import { FakeExec } from "../../fakes/exec.ts";

const NODE = process.execPath;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-exec-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function script(code: string): string[] {
  return ["-e", code];
}

const ECHO_STDIN = "process.stdin.pipe(process.stdout)";

describe("ProcessExec results", () => {
  const exec = new ProcessExec();
  const cases: {
    name: string;
    args: () => string[];
    options?: () => ExecOptions;
    want: Partial<ExecResult>;
  }[] = [
    {
      name: "captures stdout and stderr",
      args: () => script("process.stdout.write('out'); process.stderr.write('err')"),
      want: { code: 0, signal: null, stdout: "out", stderr: "err" },
    },
    {
      name: "writes stdin then closes it",
      args: () => script(ECHO_STDIN),
      options: () => ({ stdin: '{"cniVersion":"1.0.0"}' }),
      want: { code: 0, stdout: '{"cniVersion":"1.0.0"}' },
    },
    {
      name: "stdin as bytes",
      args: () => script(ECHO_STDIN),
      options: () => ({ stdin: new TextEncoder().encode("bytes") }),
      want: { stdout: "bytes" },
    },
    {
      name: "no stdin means an immediately closed stdin",
      args: () => script(ECHO_STDIN),
      want: { code: 0, stdout: "" },
    },
    {
      name: "non-zero exit is a result, stdout kept",
      args: () => script("process.stdout.write('{\"code\":7}'); process.exit(3)"),
      want: { code: 3, stdout: '{"code":7}' },
    },
    {
      name: "death by signal",
      args: () => script("process.kill(process.pid, 'SIGTERM'); setInterval(() => {}, 1000)"),
      want: { code: null, signal: "SIGTERM" },
    },
    {
      name: "env is the whole environment",
      args: () =>
        script("process.stdout.write(JSON.stringify([process.env.CNI_COMMAND, process.env.HOME ?? null]))"),
      options: () => ({ env: { CNI_COMMAND: "ADD" } }),
      want: { stdout: '["ADD",null]' },
    },
    {
      name: "cwd",
      args: () => script("process.stdout.write(process.cwd())"),
      options: () => ({ cwd: "/" }),
      want: { stdout: "/" },
    },
    {
      name: "no shell: metacharacters reach the program verbatim",
      args: () => [
        ...script("process.stdout.write(JSON.stringify(process.argv.slice(1)))"),
        "$(id)",
        "a;b",
        "*",
      ],
      want: { stdout: '["$(id)","a;b","*"]' },
    },
    {
      name: "a child that never reads a large stdin still completes",
      args: () => script("process.exit(0)"),
      options: () => ({ stdin: "x".repeat(4 * 1024 * 1024) }),
      want: { code: 0 },
    },
  ];
  it.each(cases)("$name", async ({ args, options, want }) => {
    await expect(exec.run(NODE, args(), options?.())).resolves.toMatchObject(want);
  });

  it("round-trips several MiB of stdin to stdout", async () => {
    const payload = "0123456789abcdef".repeat(256 * 1024);
    const result = await exec.run(NODE, script(ECHO_STDIN), { stdin: payload });
    expect(result.stdout.length).toBe(payload.length);
    expect(result.stdout === payload).toBe(true);
  });
});

describe("ProcessExec failures", () => {
  let notExecutable: string;
  beforeAll(async () => {
    notExecutable = join(dir, "plain-file");
    await writeFile(notExecutable, "#!/bin/sh\n");
    await chmod(notExecutable, 0o644);
  });

  const cases: {
    name: string;
    cmd: () => string;
    args?: string[];
    options?: () => ExecOptions;
    exec?: ProcessExec;
    want: { code: string; message: string | RegExp };
  }[] = [
    {
      name: "missing executable",
      cmd: () => "/nonexistent/cni/bin/bridge",
      want: { code: "EXEC_NOT_FOUND", message: "executable not found: /nonexistent/cni/bin/bridge" },
    },
    {
      name: "missing executable on PATH",
      cmd: () => "netclaim-no-such-tool",
      want: { code: "EXEC_NOT_FOUND", message: "executable not found: netclaim-no-such-tool" },
    },
    {
      name: "not executable",
      cmd: () => notExecutable,
      want: { code: "EXEC_NOT_EXECUTABLE", message: /^not executable: .*plain-file$/ },
    },
    {
      name: "missing working directory",
      cmd: () => NODE,
      args: script("0"),
      options: () => ({ cwd: join(dir, "gone") }),
      want: { code: "NOT_FOUND", message: /^working directory not found: .*gone \(running / },
    },
    {
      name: "timeout",
      cmd: () => NODE,
      args: script("setInterval(() => {}, 1000)"),
      options: () => ({ timeoutMs: 200 }),
      want: { code: "TIMEOUT", message: `command ${NODE} timed out after 200ms` },
    },
    {
      name: "output limit",
      cmd: () => NODE,
      args: script("process.stdout.write('y'.repeat(1 << 20)); setInterval(() => {}, 1000)"),
      exec: new ProcessExec({ maxOutputBytes: 1024 }),
      want: { code: "EXEC_OUTPUT_LIMIT", message: `command ${NODE} wrote more than 1024 bytes on stdout` },
    },
    {
      name: "output limit on stderr",
      cmd: () => NODE,
      args: script("process.stderr.write('y'.repeat(4096))"),
      exec: new ProcessExec({ maxOutputBytes: 1024 }),
      want: { code: "EXEC_OUTPUT_LIMIT", message: `command ${NODE} wrote more than 1024 bytes on stderr` },
    },
  ];
  it.each(cases)("$name", async ({ cmd, args, options, exec, want }) => {
    const running = (exec ?? new ProcessExec()).run(cmd(), args ?? [], options?.());
    await expect(running).rejects.toMatchObject(want);
  });

  it("a child ignoring SIGTERM is killed with SIGKILL after the grace period, and reaped", async () => {
    const pidFile = join(dir, "stubborn.pid");
    const code = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
      process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)`;
    const exec = new ProcessExec({ killGraceMs: 100 });
    await expect(exec.run(NODE, script(code), { timeoutMs: 300 })).rejects.toMatchObject({ code: "TIMEOUT" });
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
  });

  it("a timeout still ends when the child exited but a grandchild holds its output open", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const code = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'],
        { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); c.unref();`;
    const running = new ProcessExec().run(NODE, script(code), { timeoutMs: 300 });
    try {
      await expect(running).rejects.toMatchObject({ code: "TIMEOUT" });
    } finally {
      process.kill(Number(await readFile(pidFile, "utf8")), "SIGKILL");
    }
  });

  it("abort kills the child and rejects with ABORTED and the reason as cause", async () => {
    const controller = new AbortController();
    const exec = new ProcessExec();
    const running = exec.run(NODE, script("process.stdout.write('ready'); setInterval(() => {}, 1000)"), {
      signal: controller.signal,
      stdin: "",
    });
    setTimeout(() => controller.abort(new Error("pod deleted")), 50);
    await expect(running).rejects.toMatchObject({
      code: "ABORTED",
      message: `command ${NODE} aborted`,
      cause: new Error("pod deleted"),
    });
  });

  it("an already aborted signal runs nothing", async () => {
    const marker = join(dir, "should-not-exist");
    const code = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`;
    const running = new ProcessExec().run(NODE, script(code), { signal: AbortSignal.abort() });
    await expect(running).rejects.toMatchObject({ code: "ABORTED" });
    expect(existsSync(marker)).toBe(false);
  });
});

describe("FakeExec", () => {
  it("answers from rules in order, records calls, and fails on unscripted calls", async () => {
    const exec = new FakeExec()
      .once("/opt/cni/bin/bridge", { stdout: '{"ips":[]}' })
      .once("/opt/cni/bin/bridge", { code: 1, stdout: '{"code":11}' })
      .on(
        (call) => call.cmd === "ip" && call.args[0] === "link",
        (call) => ({ stdout: `seen ${call.args.join(" ")}` }),
      )
      .on("ip", { error: new Error("ip failed") });

    const results = [
      await exec.run("/opt/cni/bin/bridge", [], { stdin: "conf", env: { CNI_COMMAND: "ADD" } }),
      await exec.run("/opt/cni/bin/bridge", [], { stdin: new TextEncoder().encode("conf2") }),
      await exec.run("ip", ["link", "show"]),
    ];
    expect(results).toEqual([
      { code: 0, signal: null, stdout: '{"ips":[]}', stderr: "" },
      { code: 1, signal: null, stdout: '{"code":11}', stderr: "" },
      { code: 0, signal: null, stdout: "seen link show", stderr: "" },
    ]);
    await expect(exec.run("ip", ["addr"])).rejects.toThrow("ip failed");
    await expect(exec.run("/opt/cni/bin/bridge", ["x"])).rejects.toThrow(
      "FakeExec: no reply scripted for /opt/cni/bin/bridge x",
    );
    expect(exec.callsTo("/opt/cni/bin/bridge").map((c) => c.stdinText)).toEqual(["conf", "conf2", undefined]);
    expect(exec.calls[0]?.options.env).toEqual({ CNI_COMMAND: "ADD" });
    expect(exec.calls).toHaveLength(5);
  });

  it("honours an aborted signal like the real one", async () => {
    const exec = new FakeExec().on("x", {});
    await expect(exec.run("x", [], { signal: AbortSignal.abort(new Error("stop")) })).rejects.toThrow("stop");
  });
});
