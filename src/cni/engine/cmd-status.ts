// CNI STATUS (1.1): not ready (code 50, "plugin not available") while the readiness indicator file is
// missing, else ready. Multus also asks its cluster network's plugins; netclaim answers for itself only:
// the readiness indicator file is how the cluster network tells that it is up.
import type { StatusRequest } from "../protocol/skel.ts";
import type { EngineContext } from "./context.ts";
import { failure, problem } from "./engine-errors.ts";

export async function runStatus(ctx: EngineContext, _request: StatusRequest): Promise<void> {
  const path = ctx.netconf.readinessindicatorfile;
  if (path === "") return;
  let ready: boolean;
  try {
    ready = await ctx.readiness.isReady(path);
  } catch (err) {
    throw failure(`readiness indicator file ${path}`, err, "PLUGIN_NOT_AVAILABLE");
  }
  if (!ready) {
    throw problem(
      "PLUGIN_NOT_AVAILABLE",
      `not ready: the readiness indicator file ${path} does not exist (is the default network up?)`,
    );
  }
}
