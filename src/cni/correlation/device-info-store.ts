// Device-info files on disk (the I/O shell of device-info.ts): under a base directory, by default the
// spec's /var/run/k8s.cni.cncf.io/devinfo, `dp/` for device plugins' files (read only) and `cni/` for
// the meta-plugin's per-attachment files. A CNI file is written atomically (temp + fsync + rename) with
// mode 0444 as the NAD client writes it, its directory made 0755 when missing (CNI plugins and
// workloads read it), replacing the file of an earlier attempt of the same attachment. Removal only
// touches files inside `cni/`: a path from a damaged cache entry cannot make it delete anything else.
//
// Public API: `FileDeviceInfoStore`, `FileDeviceInfoStoreOptions`.
import { readFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import {
  DEFAULT_DEVICE_INFO_DIR,
  DEVICE_INFO_FILE_MODE,
  cniDeviceInfoPath,
  dpDeviceInfoPath,
  parseDeviceInfoText,
  serializeDeviceInfo,
} from "../../api/device-info.ts";
import type { DeviceInfoFile } from "../../api/device-info.ts";
import { removeFile, writeFileAtomic } from "../../common/atomic-file.ts";
import { isSystemError } from "../../common/errors.ts";
import type { DeviceInfoStore } from "../engine/ports.ts";

const DEVICE_INFO_DIR_MODE = 0o755;

export interface FileDeviceInfoStoreOptions {
  /** Default /var/run/k8s.cni.cncf.io/devinfo. */
  dir?: string;
}

export class FileDeviceInfoStore implements DeviceInfoStore {
  readonly dir: string;

  constructor(options: FileDeviceInfoStoreOptions = {}) {
    this.dir = options.dir ?? DEFAULT_DEVICE_INFO_DIR;
  }

  cniPath(fileName: string): string {
    return cniDeviceInfoPath(fileName, this.dir);
  }

  readDevicePluginInfo(resourceName: string, deviceId: string): Promise<DeviceInfoFile | undefined> {
    return this.read(dpDeviceInfoPath(resourceName, deviceId, this.dir));
  }

  async write(path: string, info: DeviceInfoFile): Promise<void> {
    this.checkInside(path);
    try {
      await writeFileAtomic(path, serializeDeviceInfo(info), {
        mode: DEVICE_INFO_FILE_MODE,
        createParents: true,
        dirMode: DEVICE_INFO_DIR_MODE,
      });
    } catch (err) {
      throw new Error(`write device-info file ${path}`, { cause: err });
    }
  }

  /** The file's content; undefined when it does not exist. Throws for an unreadable or invalid file. */
  async read(path: string): Promise<DeviceInfoFile | undefined> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if (isSystemError(err, "ENOENT")) return undefined;
      throw new Error(`read device-info file ${path}`, { cause: err });
    }
    const parsed = parseDeviceInfoText(text);
    if (!parsed.ok) throw new Error(`device-info file ${path} is invalid: ${parsed.problem}`);
    return parsed.info;
  }

  async remove(path: string): Promise<boolean> {
    this.checkInside(path);
    try {
      return await removeFile(path);
    } catch (err) {
      throw new Error(`remove device-info file ${path}`, { cause: err });
    }
  }

  private checkInside(path: string): void {
    const cniDir = dirname(this.cniPath("x"));
    const rel = relative(cniDir, resolve(path));
    if (rel === "" || rel.startsWith("..") || rel.includes("/")) {
      throw new Error(`device-info file ${path} is not a file of ${cniDir}`);
    }
  }
}
