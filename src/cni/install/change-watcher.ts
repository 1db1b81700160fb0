// "Something in this directory changed": the fast path of the installer's watch loop, which also checks
// every period (fs.watch misses events on some file systems, and a projected service-account volume
// changes by swapping a symlink). A directory that cannot be watched is simply not watched.
//
// Public API: `ChangeWatcher`, `WatchHandle`, `fsChangeWatcher`.
import { watch } from "node:fs";

export interface WatchHandle {
  close(): void;
}

/** Calls `onChange` (no details) when an entry of `dir` changes. */
export interface ChangeWatcher {
  watch(dir: string, onChange: () => void): WatchHandle;
}

const NOTHING: WatchHandle = { close: () => undefined };

/** ChangeWatcher over fs.watch; never throws. */
export const fsChangeWatcher: ChangeWatcher = {
  watch(dir, onChange) {
    try {
      const watcher = watch(dir, { persistent: false }, () => onChange());
      watcher.on("error", () => watcher.close());
      return { close: () => watcher.close() };
    } catch {
      return NOTHING;
    }
  },
};
