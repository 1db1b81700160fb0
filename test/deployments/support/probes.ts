// Probes of a netclaim container: on its metrics port (the container port named "metrics", the port of
// its --metrics-address), liveness and startup at /healthz, readiness at /readyz — what the ops server
// (src/common/ops-server.ts) serves there.
//
// Public API: `probeProblems`.
import type { IContainer } from "kubernetes-models/v1/Container";
import { parseListenAddress } from "../../../src/common/ops-server.ts";

const PROBE_PATHS = {
  livenessProbe: "/healthz",
  startupProbe: "/healthz",
  readinessProbe: "/readyz",
} as const;

/** [] when the container's probes are as above; `metricsAddress` is its resolved --metrics-address. */
export function probeProblems(container: IContainer, metricsAddress: string | undefined): string[] {
  if (metricsAddress === undefined) return [`${container.name}: --metrics-address unset: nothing to probe`];
  const { port } = parseListenAddress(metricsAddress);
  const problems: string[] = [];
  const named = container.ports?.find((p) => p.name === "metrics");
  if (named?.containerPort !== port) {
    problems.push(
      `${container.name}: container port "metrics" is ${named?.containerPort ?? "missing"}, --metrics-address port ${port}`,
    );
  }
  for (const [field, path] of Object.entries(PROBE_PATHS)) {
    const probe = container[field as keyof typeof PROBE_PATHS];
    if (probe === undefined) {
      if (field !== "startupProbe") problems.push(`${container.name}: no ${field}`);
      continue;
    }
    const get = probe.httpGet;
    if (get?.path !== path)
      problems.push(`${container.name}: ${field} asks ${get?.path ?? "(no httpGet)"}, want ${path}`);
    if (get !== undefined && get.port !== "metrics" && get.port !== port) {
      problems.push(`${container.name}: ${field} on port ${String(get.port)}, not the metrics port ${port}`);
    }
  }
  return problems;
}
