// Shared setup for the k8s integration tests: a started stand-in API server and a KubeClient on it.
import { vi } from "vitest";
import { KubeClient } from "../../../src/k8s/client.ts";
import { loadKubeConfig } from "../../../src/k8s/kube-config.ts";
import { FakeApiServer } from "../../harness/api-server/index.ts";
import type { FakeApiServerOptions } from "../../harness/api-server/index.ts";

export async function startServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const server = new FakeApiServer(options);
  await server.start();
  return server;
}

export function clientFor(server: FakeApiServer, component = "integration-test"): KubeClient {
  return new KubeClient({
    kubeConfig: loadKubeConfig({ kind: "yaml", yaml: server.kubeconfigYaml() }),
    component,
  });
}

/** Waits for real I/O (HTTP round trips) to bring `condition` about; generous, not a speed check. */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`still waiting for: ${what}`);
    },
    { timeout: timeoutMs, interval: 10 },
  );
}

/** Reflector backoff for tests on real time: short, without jitter. */
export const FAST_BACKOFF = { initialMs: 20, maxMs: 200, factor: 2, jitter: 0, resetAfterMs: 120_000 };
