// A hand-written ClaimPreparer for the DRA service's tests: records every call, answers as scripted
// per claim UID (devices, an error outcome, or a thrown error), can hold calls at a gate until the
// test releases them, and tracks how many calls ran at once (overall and per UID).
import type {
  ClaimPreparer,
  ClaimRef,
  PrepareOutcome,
  PreparedDevice,
  UnprepareOutcome,
} from "../../src/kubelet-plugin/dra-service/ports.ts";

export type PrepareScript = PrepareOutcome | { throws: string };
export type UnprepareScript = UnprepareOutcome | { throws: string };

export interface PreparerCall {
  operation: "prepare" | "unprepare";
  claim: ClaimRef;
  signal: AbortSignal;
}

interface Gate {
  promise: Promise<void>;
  open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export class FakeClaimPreparer implements ClaimPreparer {
  readonly calls: PreparerCall[] = [];
  readonly prepareScripts = new Map<string, PrepareScript>();
  readonly unprepareScripts = new Map<string, UnprepareScript>();
  /** Highest number of calls running at once, overall and for any single UID. */
  maxConcurrent = 0;
  maxConcurrentPerUid = 0;
  private running = 0;
  private readonly runningByUid = new Map<string, number>();
  private readonly gates = new Map<string, Gate>();
  private readonly arrivals: (() => void)[] = [];

  /** Calls for `uid` wait until `release(uid)`. */
  hold(uid: string): void {
    this.gates.set(uid, gate());
  }

  release(uid: string): void {
    this.gates.get(uid)?.open();
    this.gates.delete(uid);
  }

  /** Resolves once `count` calls have started in total. */
  async started(count: number): Promise<void> {
    while (this.calls.length < count) {
      await new Promise<void>((resolve) => this.arrivals.push(resolve));
    }
  }

  /** Calls currently running for `uid`. */
  runningFor(uid: string): number {
    return this.runningByUid.get(uid) ?? 0;
  }

  prepare(claim: ClaimRef, signal: AbortSignal): Promise<PrepareOutcome> {
    return this.run("prepare", claim, signal, () => {
      const script = this.prepareScripts.get(claim.uid) ?? { devices: [defaultDevice(claim)] };
      if ("throws" in script) throw new Error(script.throws);
      return script;
    });
  }

  unprepare(claim: ClaimRef, signal: AbortSignal): Promise<UnprepareOutcome> {
    return this.run("unprepare", claim, signal, () => {
      const script = this.unprepareScripts.get(claim.uid) ?? { ok: true };
      if ("throws" in script) throw new Error(script.throws);
      return script;
    });
  }

  private async run<T>(
    operation: PreparerCall["operation"],
    claim: ClaimRef,
    signal: AbortSignal,
    answer: () => T,
  ): Promise<T> {
    this.calls.push({ operation, claim, signal });
    for (const wake of this.arrivals.splice(0)) wake();
    this.running++;
    this.runningByUid.set(claim.uid, this.runningFor(claim.uid) + 1);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    this.maxConcurrentPerUid = Math.max(this.maxConcurrentPerUid, this.runningFor(claim.uid));
    try {
      await this.gates.get(claim.uid)?.promise;
      return answer();
    } finally {
      this.running--;
      this.runningByUid.set(claim.uid, this.runningFor(claim.uid) - 1);
    }
  }
}

export function defaultDevice(claim: ClaimRef): PreparedDevice {
  return {
    requestNames: ["net"],
    poolName: "node-a",
    deviceName: `dev-${claim.name}`,
    cdiDeviceIds: [`netclaim.dev/net=${claim.uid}`],
  };
}
