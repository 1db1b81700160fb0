// A ReadinessGate for engine tests: files are "present" when the test says so; waits never block (a
// missing file fails the wait at once, naming the timeout it was given).
import type { ReadinessGate } from "../../src/cni/engine/ports.ts";

export class FakeReadinessGate implements ReadinessGate {
  readonly present = new Set<string>();
  readonly waits: { path: string; timeoutMs: number }[] = [];
  readonly checks: string[] = [];

  isReady(path: string): Promise<boolean> {
    this.checks.push(path);
    return Promise.resolve(this.present.has(path));
  }

  waitReady(path: string, timeoutMs: number): Promise<void> {
    this.waits.push({ path, timeoutMs });
    if (this.present.has(path)) return Promise.resolve();
    return Promise.reject(new Error(`${path} did not appear within ${timeoutMs}ms`));
  }
}
