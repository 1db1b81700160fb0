// Shared shapes of delegate execution.
import type { JsonObject } from "./json.ts";

export const DELEGATE_COMMANDS = ["ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION"] as const;
export type DelegateCommand = (typeof DELEGATE_COMMANDS)[number];

/** The CNI_* values of one attachment (libcni's RuntimeConf without the capability args). */
export interface AttachmentEnv {
  containerID: string;
  netns: string;
  ifName: string;
  /** CNI_ARGS as a string, passed on unchanged. */
  cniArgs: string;
}

/** GC and STATUS concern no attachment: libcni sends them with these empty. */
export const NO_ATTACHMENT: AttachmentEnv = { containerID: "", netns: "", ifName: "", cniArgs: "" };

/** One element of CNI 1.1's `cni.dev/valid-attachments`. */
export interface GcAttachment {
  containerID: string;
  ifname: string;
}

export const VALID_ATTACHMENTS_KEY = "cni.dev/valid-attachments";

/** One plugin run: the command, which plugin, its stdin and its CNI_* values. */
export interface DelegateRequest {
  command: DelegateCommand;
  /** The plugin type: the executable's file name. */
  type: string;
  /** What goes on stdin, serialised as it is (build it with buildPluginStdin). */
  stdin: JsonObject;
  attachment: AttachmentEnv;
}

export interface DelegateOutput {
  pluginPath: string;
  /** stdout parsed; undefined when the plugin printed nothing (DEL, CHECK, GC, STATUS usually). */
  output: JsonObject | undefined;
  /** The plugin's stderr, for the caller's log; never part of a result. */
  stderr: string;
}
