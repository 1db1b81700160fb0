// /healthz's checks: the plugin calls itself the way the kubelet does — GetInfo on the registration
// socket, an empty NodePrepareResources on the DRA socket — so a socket file that vanished or a server
// that hangs shows (dra-example-driver issue #126: pods stuck once the socket had gone), and the
// kubelet's last registration status must be "registered".
import * as grpc from "@grpc/grpc-js";
import { errorMessage } from "../../common/errors.ts";
import { kubeletServices, unixTarget } from "../../k8s/kubelet-grpc.ts";
import type { KubeletServices } from "../../k8s/kubelet-grpc.ts";
import { SELF_CHECK_METADATA_KEY } from "../dra-service/grpc-handlers.ts";
import type { RegistrationState } from "../registration/plugin-info.ts";
import type { HealthCheckResult, HealthReport } from "../../common/ops-server.ts";

export const SELF_CHECK_TIMEOUT_MS = 2_000;

export interface SelfCheckTargets {
  draSocket: string;
  registrationSocket: string;
  registration: () => RegistrationState;
  services?: KubeletServices;
  timeoutMs?: number;
}

function call(
  start: (deadline: Date, cb: (err: grpc.ServiceError | null) => void) => void,
  timeoutMs: number,
) {
  return new Promise<HealthCheckResult>((resolve) => {
    start(new Date(Date.now() + timeoutMs), (err) =>
      resolve(err === null ? { ok: true } : { ok: false, detail: errorMessage(err) }),
    );
  });
}

async function checkDra(targets: SelfCheckTargets, services: KubeletServices, timeoutMs: number) {
  const client = new services.draV1(unixTarget(targets.draSocket), grpc.credentials.createInsecure());
  try {
    const metadata = new grpc.Metadata();
    metadata.set(SELF_CHECK_METADATA_KEY, "1");
    return await call(
      (deadline, cb) => client.NodePrepareResources({ claims: [] }, metadata, { deadline }, cb),
      timeoutMs,
    );
  } finally {
    client.close();
  }
}

async function checkRegistration(targets: SelfCheckTargets, services: KubeletServices, timeoutMs: number) {
  const socket = targets.registrationSocket;
  const client = new services.registration(unixTarget(socket), grpc.credentials.createInsecure());
  try {
    return await call((deadline, cb) => client.GetInfo({}, { deadline }, cb), timeoutMs);
  } finally {
    client.close();
  }
}

function registeredCheck(state: RegistrationState): HealthCheckResult {
  switch (state.status) {
    case "registered":
      return { ok: true };
    case "unknown":
      return { ok: false, detail: "the kubelet has not confirmed the registration yet" };
    case "failed":
      return { ok: false, detail: `the kubelet rejected the registration: ${state.error}` };
  }
}

/** Runs the three checks; healthy when all pass. */
export async function selfCheck(targets: SelfCheckTargets): Promise<HealthReport> {
  const services = targets.services ?? kubeletServices();
  const timeoutMs = targets.timeoutMs ?? SELF_CHECK_TIMEOUT_MS;
  const [dra, registration] = await Promise.all([
    checkDra(targets, services, timeoutMs),
    checkRegistration(targets, services, timeoutMs),
  ]);
  const checks = {
    draService: dra,
    registrationService: registration,
    registered: registeredCheck(targets.registration()),
  };
  return { healthy: Object.values(checks).every((c) => c.ok), checks };
}
