// A manual clock for tests: time stands still until the test advances it, and timers fire (in due order,
// with `now()` set to each one's due time) as time passes them. No real waiting anywhere.
import { sleepOn } from "../../src/common/clock.ts";
import type { Clock, TimerHandle } from "../../src/common/clock.ts";

interface FakeTimer {
  id: number;
  dueMs: number;
  intervalMs: number | undefined;
  fn: () => void;
}

/** Lets pending promise continuations (and whatever they schedule) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const MAX_WAIT_TURNS = 1000;

export class FakeClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.schedule(fn, ms, Math.max(1, ms));
  }

  /** How many timers are scheduled. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due times of the scheduled timers, earliest first. */
  pendingDueTimes(): number[] {
    return [...this.timers.values()].map((t) => t.dueMs).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, including ones scheduled by
   * the timers themselves. Synchronous: promise continuations run only after it returns.
   */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.fire(next);
    }
    this.nowMs = target;
  }

  /**
   * Like `advance`, but lets promise continuations run after each timer, so code that awaits a sleep and
   * then sleeps again (a retry loop) sees all its wake-ups within the window.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    await flushMicrotasks();
    for (let next = this.nextDue(target); next !== undefined; next = this.nextDue(target)) {
      this.fire(next);
      await flushMicrotasks();
    }
    this.nowMs = target;
  }

  /** Resolves once at least `count` timers are pending: "the code under test is now waiting". */
  async waitForTimers(count = 1): Promise<void> {
    for (let turn = 0; turn < MAX_WAIT_TURNS; turn++) {
      if (this.timers.size >= count) return;
      await flushMicrotasks();
    }
    throw new Error(`FakeClock: expected ${count} pending timer(s), have ${this.timers.size}`);
  }

  private schedule(fn: () => void, ms: number, intervalMs: number | undefined): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + Math.max(0, ms), intervalMs, fn });
    return { cancel: () => this.timers.delete(id) };
  }

  private nextDue(limitMs: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const timer of this.timers.values()) {
      if (timer.dueMs > limitMs) continue;
      if (
        best === undefined ||
        timer.dueMs < best.dueMs ||
        (timer.dueMs === best.dueMs && timer.id < best.id)
      ) {
        best = timer;
      }
    }
    return best;
  }

  private fire(timer: FakeTimer): void {
    this.nowMs = Math.max(this.nowMs, timer.dueMs);
    if (timer.intervalMs === undefined) {
      this.timers.delete(timer.id);
    } else {
      timer.dueMs += timer.intervalMs;
    }
    timer.fn();
  }
}
