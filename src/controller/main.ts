// `netclaim controller`: the flags (DESIGN.md's contract, each also from NETCLAIM_<FLAG>; the
// leader-election timings as client-go controllers name them), the effective config logged at
// start, the process lifecycle: SIGTERM or SIGINT stops the workers, releases the lease (the next
// replica takes over at once) and exits 0; a failed start exits 1, flags that do not resolve 2.
// The controller's modules load only when the command runs (src/cli/main.ts imports this for --help).
import { Command } from "commander";
import { z } from "zod";
import { addFlags, requireCommandConfig } from "../common/config-command.ts";
import { OPS_FLAGS } from "../common/ops-flags.ts";
import { defineFlags, renderEffectiveConfig } from "../common/config.ts";
import type { ConfigOf, Env } from "../common/config.ts";
import { zDuration } from "../common/config-schemas.ts";
import { errorMessage } from "../common/errors.ts";
import { createLogger } from "../common/logger.ts";
import type { Logger } from "../common/logger.ts";
import { validateElectorTimings } from "../k8s/leader-election-config.ts";

export const EXIT_INVALID_CONFIG = 2;

const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const CONTROLLER_FLAGS = defineFlags({
  kubeconfig: {
    schema: z.string().optional(),
    description: "kubeconfig file; empty: in-cluster service account",
    valueName: "path",
  },
  "driver-name": {
    schema: z.string().regex(DNS_SUBDOMAIN_RE, "expected a DNS subdomain").max(63),
    description: "the DRA driver name whose devices, classes and slices this controller looks after",
    default: "netclaim.dev",
    valueName: "name",
  },
  "leader-election-namespace": {
    schema: z.string().regex(DNS_LABEL_RE, "expected a namespace name").max(63).optional(),
    description:
      "namespace of the leader Lease; unset: the kubeconfig context's (in-cluster: the pod's), else default",
    valueName: "namespace",
  },
  "leader-election-lease-name": {
    schema: z.string().regex(DNS_SUBDOMAIN_RE, "expected a DNS subdomain"),
    description: "name of the leader Lease",
    default: "netclaim-controller",
    valueName: "name",
  },
  "leader-election-identity": {
    schema: z.string().min(1).optional(),
    description: "this replica's holder identity; unset: <hostname>_<random uuid>",
    valueName: "id",
  },
  "leader-election-lease-duration": {
    schema: zDuration(),
    description: "how long a leader's term lasts without renewal",
    default: "15s",
    valueName: "duration",
  },
  "leader-election-renew-deadline": {
    schema: zDuration(),
    description: "how long the leader keeps trying to renew before it gives up leading",
    default: "10s",
    valueName: "duration",
  },
  "leader-election-retry-period": {
    schema: zDuration(),
    description: "interval between lease attempts",
    default: "2s",
    valueName: "duration",
  },
  "resource-slice-gc-grace-period": {
    schema: zDuration(),
    description: "how long a ResourceSlice of a missing node is left before it is deleted",
    default: "1m",
    valueName: "duration",
  },
  "ip-pool-gc-grace-period": {
    schema: zDuration(),
    description: "how long an IPPool stays deleted before its IPAllocations are deleted",
    default: "5m",
    valueName: "duration",
  },
  ...OPS_FLAGS,
});

export type ControllerConfig = ConfigOf<typeof CONTROLLER_FLAGS>;

/** Runs the controller until SIGTERM/SIGINT; resolves with the exit code. */
export async function runController(config: ControllerConfig, env: Env, logger: Logger): Promise<number> {
  const [{ NetclaimController }, { ControllerMetrics }, { KubeClient }, kubeConfig] = await Promise.all([
    import("./controller.ts"),
    import("./runtime/metrics.ts"),
    import("../k8s/client.ts"),
    import("../k8s/kube-config.ts"),
  ]);
  const stop = new AbortController();
  const onSignal = (name: string) => () => {
    logger.info({ signal: name }, "stopping");
    stop.abort();
  };
  process.once("SIGTERM", onSignal("SIGTERM"));
  process.once("SIGINT", onSignal("SIGINT"));
  const kc = kubeConfig.loadKubeConfig(kubeConfig.kubeConfigSourceFromFlag(config.kubeconfig, env));
  const namespace = config.leaderElectionNamespace ?? kubeConfig.contextNamespace(kc) ?? "default";
  const controller = new NetclaimController({
    kube: new KubeClient({ kubeConfig: kc, component: "controller" }),
    driverName: config.driverName,
    leaderElection: {
      namespace,
      name: config.leaderElectionLeaseName,
      ...(config.leaderElectionIdentity === undefined ? {} : { identity: config.leaderElectionIdentity }),
      leaseDurationMs: config.leaderElectionLeaseDuration,
      renewDeadlineMs: config.leaderElectionRenewDeadline,
      retryPeriodMs: config.leaderElectionRetryPeriod,
    },
    sliceGcGracePeriodMs: config.resourceSliceGcGracePeriod,
    poolGcGracePeriodMs: config.ipPoolGcGracePeriod,
    metricsAddress: config.metricsAddress,
    metrics: new ControllerMetrics(),
    logger,
  });
  logger.info({ lease: `${namespace}/${config.leaderElectionLeaseName}` }, "leader election");
  await controller.start();
  await new Promise<void>((resolve) =>
    stop.signal.addEventListener("abort", () => resolve(), { once: true }),
  );
  await controller.stop();
  return 0;
}

/** client-go's checks of the leader-election timings, as a configuration error. */
export function checkTimings(config: ControllerConfig): void {
  try {
    validateElectorTimings({
      leaseDurationMs: config.leaderElectionLeaseDuration,
      renewDeadlineMs: config.leaderElectionRenewDeadline,
      retryPeriodMs: config.leaderElectionRetryPeriod,
    });
  } catch (err) {
    throw new Error(`invalid leader-election timings: ${errorMessage(err)}`, { cause: err });
  }
}

/** The `controller` subcommand for src/cli/main.ts. */
export function controllerCommand(env: Env = process.env): Command {
  const command = new Command("controller").description(
    "the cluster controller: DeviceClasses kept in step with networks, garbage collection, IP pools",
  );
  addFlags(command, CONTROLLER_FLAGS);
  command.action(async () => {
    let config: ControllerConfig;
    try {
      config = requireCommandConfig(command, CONTROLLER_FLAGS, env);
      checkTimings(config);
    } catch (err) {
      process.stderr.write(`netclaim controller: ${errorMessage(err)}\n`);
      process.exit(EXIT_INVALID_CONFIG);
    }
    const logger = createLogger({ level: config.logLevel, base: { component: "controller" } });
    logger.info({ config: renderEffectiveConfig(CONTROLLER_FLAGS, config) }, "effective configuration");
    let code: number;
    try {
      code = await runController(config, env, logger);
    } catch (err) {
      logger.fatal({ err: errorMessage(err) }, "controller failed");
      code = 1;
    }
    // Exit now: an HTTP agent or a watch left open must not keep a stopped controller alive.
    process.exit(code);
  });
  return command;
}
