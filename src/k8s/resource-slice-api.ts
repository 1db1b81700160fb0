// The ResourceSlice API as the publisher needs it: this node's slices and writes, all in v1 shapes
// (resource-slice-versions.ts adapts v1beta2/v1beta1 servers; tests hand the publisher a fake).
import type { ResourceSlice } from "./resource-slice-types.ts";

/** Consumer-owned: what ResourceSlicePublisher calls. */
export interface ResourceSliceApi {
  readonly version?: string;
  list(opts: { fieldSelector: string; signal?: AbortSignal | undefined }): Promise<ResourceSlice[]>;
  create(slice: ResourceSlice, opts?: SliceWriteOptions): Promise<ResourceSlice>;
  update(slice: ResourceSlice, opts?: SliceWriteOptions): Promise<ResourceSlice>;
  delete(name: string, opts?: SliceDeleteOptions): Promise<void>;
}

export interface SliceWriteOptions {
  fieldManager?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface SliceDeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  signal?: AbortSignal | undefined;
}

/** `spec.nodeName=<node>,spec.driver=<driver>`, values escaped as field selectors need. */
export function sliceFieldSelector(nodeName: string, driver: string): string {
  const escape = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);
  return `spec.nodeName=${escape(nodeName)},spec.driver=${escape(driver)}`;
}
