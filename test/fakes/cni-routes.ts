// A DefaultRouteApplier for engine tests: records each instruction; can be told to fail.
import type { DefaultRouteApplier } from "../../src/cni/engine/ports.ts";
import type { DefaultRouteInstruction } from "../../src/cni/selection/default-route.ts";

export class FakeRouteApplier implements DefaultRouteApplier {
  readonly applied: { netns: string; instruction: DefaultRouteInstruction }[] = [];
  failWith: Error | undefined;

  apply(netns: string, instruction: DefaultRouteInstruction): Promise<void> {
    this.applied.push({ netns, instruction });
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
}
