// Raw HTTP helpers for the stand-in server's own tests: one-shot calls and a watch reader.
import type { KubeObject } from "./types.ts";

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<Reply> {
  const init: RequestInit = {
    method,
    headers: { Authorization: "Bearer test", "User-Agent": "stand-in-test/1.0" },
  };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": contentType };
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export interface WatchEvent {
  type: string;
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

/** An open watch collecting its events; `next(n)` waits until n events arrived in total. */
export class WatchReader {
  events: WatchEvent[] = [];
  ended = false;
  status = 0;
  #abort = new AbortController();
  #waiters: Array<() => void> = [];

  static async open(baseUrl: string, path: string): Promise<WatchReader> {
    const reader = new WatchReader();
    await reader.#start(`${baseUrl}${path}`);
    return reader;
  }

  async #start(url: string): Promise<void> {
    const response = await fetch(url, { signal: this.#abort.signal });
    this.status = response.status;
    if (response.body === null) return;
    const decoder = new TextDecoder();
    const stream = response.body.getReader();
    let buffer = "";
    void (async () => {
      try {
        for (;;) {
          const { done, value } = (await stream.read()) as { done: boolean; value?: Uint8Array };
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let newline = buffer.indexOf("\n");
          while (newline >= 0) {
            this.events.push(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf("\n");
          }
          this.#wake();
        }
      } catch {
        // aborted
      }
      this.ended = true;
      this.#wake();
    })();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves once `count` events arrived (or the stream ended, whichever first). */
  async next(count: number): Promise<WatchEvent[]> {
    while (this.events.length < count && !this.ended) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.events.slice(0, count);
  }

  async untilEnded(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  close(): void {
    this.#abort.abort();
  }
}

export function pod(
  name: string,
  extra: Partial<KubeObject> = {},
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, ...(labels === undefined ? {} : { labels }) },
    spec: { containers: [{ name: "c", image: "busybox" }] },
    ...extra,
  };
}
