// What one scenario of the RBAC replay leaves behind: every request the stand-in API server recorded (the
// test's own included; recorded-calls.ts picks the components'), and for the admission policy checks the
// objects the node daemon really wrote, with the node its pod-bound token would name.
//
// Public API: `ScenarioRecording`, `PodStatusWrite`, `waitFor`.
import type { KubeObject, RecordedRequest } from "../../../harness/api-server/index.ts";

/** A pod as it was before the node daemon's pods/status write and as the write left it. */
export interface PodStatusWrite {
  nodeName: string;
  before: KubeObject;
  after: KubeObject;
}

export interface ScenarioRecording {
  name: string;
  requests: RecordedRequest[];
  /** ResourceSlices the kubelet plugin of `nodeName` published. */
  slices?: { nodeName: string; objects: KubeObject[] };
  podStatusWrites?: PodStatusWrite[];
}

/** Polls `check` (real I/O brings it about) until it holds; rejects naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`RBAC scenario: still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
