// What the controller's Deployment must get right beyond its schema: two replicas electing a leader on
// the Lease the controller uses (src/controller/main.ts: its namespace and name), settings that resolve
// with the CLI's flag tables and pass client-go's checks of the election timings, probes on the metrics
// port, and a locked-down container (non-root, read-only root file system, no privilege escalation, no
// capabilities, the runtime's default seccomp profile).
//
// Public API: `checkController`.
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { checkTimings, CONTROLLER_FLAGS } from "../../../src/controller/main.ts";
import type { ControllerConfig } from "../../../src/controller/main.ts";
import { resolveContainer } from "./containers.ts";
import { probeProblems } from "./probes.ts";

function lockedDownProblems(deployment: IDeployment): string[] {
  const pod = deployment.spec?.template.spec;
  const problems: string[] = [];
  const podSecurity = pod?.securityContext;
  for (const c of pod?.containers ?? []) {
    const s = c.securityContext;
    if ((s?.runAsNonRoot ?? podSecurity?.runAsNonRoot) !== true) problems.push(`${c.name}: may run as root`);
    if (s?.readOnlyRootFilesystem !== true) problems.push(`${c.name}: writable root file system`);
    if (s?.allowPrivilegeEscalation !== false) problems.push(`${c.name}: privilege escalation allowed`);
    if (!(s?.capabilities?.drop ?? []).includes("ALL")) problems.push(`${c.name}: capabilities not dropped`);
    const seccomp = s?.seccompProfile?.type ?? podSecurity?.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault") problems.push(`${c.name}: seccomp profile ${seccomp ?? "(none)"}`);
    if (c.resources?.requests?.["memory"] === undefined) problems.push(`${c.name}: no memory request`);
  }
  return problems;
}

/** Every problem of the controller's Deployment; [] when it is as it must be. */
export function checkController(deployment: IDeployment, image: string): string[] {
  const problems: string[] = [];
  if (deployment.spec?.replicas !== 2) problems.push(`replicas ${deployment.spec?.replicas ?? 1}, want 2`);
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "controller");
  if (container === undefined) return [...problems, "no controller container"];
  if (container.image !== image) problems.push(`image ${container.image ?? "(none)"}, want ${image}`);
  problems.push(...lockedDownProblems(deployment));
  const resolved = resolveContainer(container);
  if (!resolved.ok) return [...problems, ...resolved.problems];
  const config = resolved.config as unknown as ControllerConfig;
  const namespace = deployment.metadata?.namespace;
  if (config.leaderElectionNamespace !== namespace) {
    problems.push(
      `leader election in ${config.leaderElectionNamespace ?? "(the context's)"}, not ${namespace ?? "?"}`,
    );
  }
  const leaseName = CONTROLLER_FLAGS["leader-election-lease-name"].default;
  if (config.leaderElectionLeaseName !== leaseName) {
    problems.push(`lease ${config.leaderElectionLeaseName}, not the controller's ${leaseName}`);
  }
  try {
    checkTimings(config);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return [...problems, ...probeProblems(container, config.metricsAddress)];
}
