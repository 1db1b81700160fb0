// The production implementations of the prepare ports: claims over the API client, CDI specs in a
// directory (cdi/spec-files.ts).
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { KubeObject } from "../../k8s/types.ts";
import type { CdiSpec } from "../cdi/cdi-types.ts";
import { listCdiSpecs, removeCdiSpec, removeStaleCdiTempFiles, writeCdiSpec } from "../cdi/spec-files.ts";
import type { CdiSpecFile } from "../cdi/spec-files.ts";
import type { ResourceClaim } from "./plan-types.ts";
import type { CdiStore, ClaimReader } from "./ports.ts";

/** Page size when listing every claim for a checkpoint rebuild. */
const LIST_PAGE_SIZE = 500;

export class ApiClaimReader implements ClaimReader {
  private readonly client: ResourceClient<ResourceClaim & KubeObject>;

  constructor(client: ResourceClient<ResourceClaim & KubeObject>) {
    this.client = client;
  }

  getClaim(namespace: string, name: string, signal?: AbortSignal): Promise<ResourceClaim> {
    return this.client.get(name, { namespace, signal });
  }

  async listClaims(signal?: AbortSignal): Promise<ResourceClaim[]> {
    const claims: ResourceClaim[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.list({ limit: LIST_PAGE_SIZE, continue: token, signal });
      claims.push(...page.items);
      token = page.metadata?.continue;
    } while (token !== undefined && token !== "");
    return claims;
  }
}

export class DirCdiStore implements CdiStore {
  readonly dir: string;
  private readonly driverName: string;

  constructor(dir: string, driverName: string) {
    this.dir = dir;
    this.driverName = driverName;
  }

  write(claimUID: string, spec: CdiSpec): Promise<string> {
    return writeCdiSpec(this.dir, claimUID, spec);
  }

  remove(claimUID: string): Promise<boolean> {
    return removeCdiSpec(this.dir, this.driverName, claimUID);
  }

  list(): Promise<CdiSpecFile[]> {
    return listCdiSpecs(this.dir, this.driverName);
  }

  removeStaleTempFiles(): Promise<string[]> {
    return removeStaleCdiTempFiles(this.dir, this.driverName);
  }
}
