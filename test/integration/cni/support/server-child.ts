// A CNI server (src/cni/server) in a process of its own, as the kubelet plugin hosts it, for the
// integration tests and the bench: `node server-child.ts '<json ServerChildConfig>'`. It prints "ready"
// once the socket is bound and the informers have synced, a JSON line of the server's stats on SIGUSR2,
// and stops gracefully on SIGTERM (exit 0 once stopped).
import { CniServer } from "../../../../src/cni/server/cni-server.ts";
import type { CniServerOptions } from "../../../../src/cni/server/cni-server.ts";
import { createLogger } from "../../../../src/common/logger.ts";
import type { LogLevel } from "../../../../src/common/logger.ts";
import { createKubeClient } from "../../../../src/k8s/client.ts";

export interface ServerChildConfig {
  socketPath: string;
  nodeName: string;
  kubeconfig: string;
  logFile: string;
  logLevel?: LogLevel;
  queue?: CniServerOptions["queue"];
  tuning?: CniServerOptions["tuning"];
  stopGraceMs?: number;
  correlation?: CniServerOptions["correlation"];
}

const config = JSON.parse(process.argv[2] ?? "{}") as ServerChildConfig;
const logger = createLogger({
  level: config.logLevel ?? "info",
  destination: config.logFile,
  base: { component: "cni-server" },
});
const kube = createKubeClient({ kind: "file", path: config.kubeconfig }, { component: "cni-server-test" });
const server = new CniServer({
  socketPath: config.socketPath,
  nodeName: config.nodeName,
  kube,
  logger,
  ...(config.queue === undefined ? {} : { queue: config.queue }),
  ...(config.tuning === undefined ? {} : { tuning: config.tuning }),
  ...(config.stopGraceMs === undefined ? {} : { stopGraceMs: config.stopGraceMs }),
  ...(config.correlation === undefined ? {} : { correlation: config.correlation }),
});
process.on("SIGUSR2", () => process.stdout.write(`${JSON.stringify({ stats: server.stats() })}\n`));
process.once("SIGTERM", () => {
  void server.stop().then(() => process.exit(0));
});
await server.start();
await server.waitForSync();
process.stdout.write("ready\n");
