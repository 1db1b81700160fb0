// The watch loop on a manual clock, over scripted checks: one check per period or at once on wake(); a
// lost readiness file removes the config once and holds the config check until the file is back; a
// failing step is logged once per distinct message and retried; stop() ends the loop.
import { describe, expect, it } from "vitest";
import type { ConfigSync } from "../../../../src/cni/install/cni-config-file.ts";
import { WatchLoop } from "../../../../src/cni/install/watch-loop.ts";
import { FakeClock, flushMicrotasks } from "../../../fakes/clock.ts";
import { captureLogger } from "../../../fakes/logger.ts";

const INTERVAL_MS = 1000;
const written: ConfigSync = {
  status: "written",
  master: "10-a.conf",
  file: "/c/00-netclaim.conf",
  shadowedBy: [],
  removed: [],
};
const unchanged: ConfigSync = { ...written, status: "unchanged" };

/** Scripted checks that record what the loop asked for. */
class FakeChecks {
  calls: string[] = [];
  ready = true;
  configReplies: (ConfigSync | Error)[] = [];
  kubeconfigError: Error | undefined;

  readonly check = {
    kubeconfig: (): Promise<string> => {
      this.calls.push("kubeconfig");
      return this.kubeconfigError === undefined
        ? Promise.resolve("unchanged")
        : Promise.reject(this.kubeconfigError);
    },
    readinessFile: "/run/ready",
    config: (): Promise<ConfigSync> => {
      this.calls.push("config");
      const reply = this.configReplies.shift() ?? unchanged;
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
    removeConfig: (): Promise<string[]> => {
      this.calls.push("remove");
      return Promise.resolve(["/c/00-netclaim.conf"]);
    },
  };
  readonly exists = (path: string): Promise<boolean> => {
    this.calls.push(`exists ${path}`);
    return Promise.resolve(this.ready);
  };
}

function setUp() {
  const clock = new FakeClock();
  const checks = new FakeChecks();
  const log = captureLogger();
  let done = 0;
  const loop = new WatchLoop({
    clock,
    intervalMs: INTERVAL_MS,
    logger: log.logger,
    check: checks.check,
    exists: checks.exists,
    onCheck: () => done++,
  });
  const waitChecks = async (count: number): Promise<void> => {
    for (let i = 0; i < 100 && done < count; i++) await flushMicrotasks();
    expect(done).toBe(count);
  };
  return { clock, checks, log, loop, waitChecks };
}

describe("WatchLoop", () => {
  it("checks once per period, in order: kubeconfig, readiness, config", async () => {
    const { clock, checks, loop, waitChecks } = setUp();
    loop.start();
    await clock.waitForTimers(1);
    expect(checks.calls).toEqual([]);
    await clock.advanceAsync(INTERVAL_MS);
    await waitChecks(1);
    expect(checks.calls).toEqual(["kubeconfig", "exists /run/ready", "config"]);
    await clock.advanceAsync(2 * INTERVAL_MS);
    await waitChecks(3);
    await loop.stop();
  });

  it("checks at once on wake(), and once more for a wake during a check", async () => {
    const { clock, checks, loop, waitChecks } = setUp();
    loop.start();
    await clock.waitForTimers(1);
    loop.wake();
    await waitChecks(1);
    checks.calls = [];
    let wokeDuring = false;
    const config = checks.check.config;
    checks.check.config = () => {
      if (!wokeDuring) {
        wokeDuring = true;
        loop.wake();
      }
      return config();
    };
    loop.wake();
    await waitChecks(3);
    expect(checks.calls.filter((c) => c === "config")).toHaveLength(2);
    await loop.stop();
  });

  it("removes the config once when the readiness file goes, and resumes when it is back", async () => {
    const { clock, checks, log, loop, waitChecks } = setUp();
    loop.start();
    checks.ready = false;
    for (let i = 1; i <= 3; i++) {
      await clock.advanceAsync(INTERVAL_MS);
      await waitChecks(i);
    }
    expect(checks.calls.filter((c) => c === "remove")).toHaveLength(1);
    expect(checks.calls).not.toContain("config");
    checks.ready = true;
    checks.configReplies = [written];
    await clock.advanceAsync(INTERVAL_MS);
    await waitChecks(4);
    expect(checks.calls.at(-1)).toBe("config");
    const messages = log.lines().map((l) => l.msg);
    expect(messages).toContain("readiness indicator file gone: CNI config removed until it is back");
    expect(messages).toContain("readiness indicator file back");
    expect(messages).toContain("CNI config regenerated");
    await loop.stop();
  });

  it("logs a failing step once per distinct message, keeps going, and logs the recovery", async () => {
    const { clock, checks, log, loop, waitChecks } = setUp();
    checks.configReplies = [
      new Error("bad master"),
      new Error("bad master"),
      new Error("worse master"),
      unchanged,
    ];
    checks.kubeconfigError = new Error("no token");
    loop.start();
    for (let i = 1; i <= 4; i++) {
      await clock.advanceAsync(INTERVAL_MS);
      await waitChecks(i);
    }
    const failures = log.lines().filter((l) => l.msg === "install check failed; retrying");
    expect(failures.map((l) => [l.check, l.problem])).toEqual([
      ["kubeconfig", "no token"],
      ["config", "bad master"],
      ["config", "worse master"],
    ]);
    expect(
      log
        .lines()
        .filter((l) => l.msg === "install check recovered")
        .map((l) => l.check),
    ).toEqual(["config"]);
    await loop.stop();
  });

  it("treats a missing master as a problem and keeps the current config", async () => {
    const { clock, checks, log, loop, waitChecks } = setUp();
    checks.configReplies = [{ status: "no-master", reason: "no CNI config" }];
    loop.start();
    await clock.advanceAsync(INTERVAL_MS);
    await waitChecks(1);
    expect(checks.calls).not.toContain("remove");
    expect(log.lines().find((l) => l.check === "config")?.problem).toMatch(
      /kept the current config: no CNI config/,
    );
    await loop.stop();
  });

  it("stops on the start signal and on stop(), leaving no timer behind", async () => {
    const { clock, loop } = setUp();
    const controller = new AbortController();
    loop.start(controller.signal);
    await clock.waitForTimers(1);
    controller.abort();
    await loop.stop();
    expect(clock.pendingTimers()).toBe(0);
    const second = setUp();
    second.loop.start();
    await second.clock.waitForTimers(1);
    await second.loop.stop();
    expect(second.clock.pendingTimers()).toBe(0);
  });
});
