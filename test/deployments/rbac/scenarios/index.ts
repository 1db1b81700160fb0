// Every scenario of the RBAC replay, one after another (the node worlds are heavy; running them at once
// would only contend): the node daemon with its CNI server, the kubelet plugin's ResourceSlice life, the
// standalone CNI plugin, the controller. The first and third need root.
//
// Public API: `recordAllScenarios`, `SCENARIOS`.
import { recordController } from "./controller.ts";
import { recordNodeDaemon } from "./node-daemon.ts";
import { recordPluginSlices } from "./plugin-slices.ts";
import type { ScenarioRecording } from "./recording.ts";
import { recordStandaloneCni } from "./standalone-cni.ts";

export const SCENARIOS: readonly (() => Promise<ScenarioRecording>)[] = [
  recordNodeDaemon,
  recordPluginSlices,
  recordStandaloneCni,
  recordController,
];

export async function recordAllScenarios(): Promise<ScenarioRecording[]> {
  const out: ScenarioRecording[] = [];
  for (const record of SCENARIOS) out.push(await record());
  return out;
}
