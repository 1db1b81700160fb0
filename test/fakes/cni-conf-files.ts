// ConfFiles for engine tests: CNI configs "on disk" held in memory, by directory and network name and by
// path; lookups recorded. Configs go through the real parseDelegateConfig, as the file port parses them.
import { join } from "node:path";
import { parseDelegateConfig } from "../../src/api/netconf-delegate.ts";
import type { DelegateConfig } from "../../src/api/netconf-delegate.ts";
import type { ConfFiles } from "../../src/cni/engine/ports.ts";

export interface ConfFilesCall {
  method: "findByNetworkName" | "load";
  arg: string;
}

export class FakeConfFiles implements ConfFiles {
  readonly calls: ConfFilesCall[] = [];
  private readonly files = new Map<string, DelegateConfig>();

  /** Puts `config` at `<dir>/<file>`; found by its network name in `dir` and by path. */
  add(dir: string, file: string, config: Record<string, unknown>): this {
    const path = join(dir, file);
    this.files.set(path, parseDelegateConfig(config, { source: path }));
    return this;
  }

  findByNetworkName(dir: string, networkName: string): Promise<DelegateConfig | undefined> {
    this.calls.push({ method: "findByNetworkName", arg: `${dir}:${networkName}` });
    const found = [...this.files.entries()]
      .filter(([path, config]) => path.startsWith(`${dir}/`) && config.name === networkName)
      .sort(([a], [b]) => a.localeCompare(b))[0];
    return Promise.resolve(found?.[1]);
  }

  load(path: string): Promise<DelegateConfig> {
    this.calls.push({ method: "load", arg: path });
    const config = this.files.get(path);
    return config === undefined
      ? Promise.reject(new Error(`CNI config file ${path}: no such file`))
      : Promise.resolve(config);
  }
}
