// A Transport that opens the real one at its first request: a CNI call that never asks the API server
// (a DEL served from the attachment cache, STATUS without a NAD cluster network) then reads no
// kubeconfig and loads no HTTP or YAML code. A failed open is remembered, so each request of the call
// reports the same cause rather than retrying a broken kubeconfig.
//
// Public API: `LazyTransport`.
import type { HttpRequest, HttpResponse } from "../../k8s/http-transport.ts";
import type { ClosableTransport } from "./kube-transport.ts";

export class LazyTransport implements ClosableTransport {
  private readonly open: () => Promise<ClosableTransport>;
  private opened: Promise<ClosableTransport> | undefined;
  private closed = false;

  constructor(open: () => Promise<ClosableTransport>) {
    this.open = open;
  }

  /** Whether the real transport was asked for. */
  get isOpen(): boolean {
    return this.opened !== undefined;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new Error(`${req.method} ${req.path}: the API connection is closed`);
    this.opened ??= this.open();
    return (await this.opened).send(req);
  }

  close(): void {
    this.closed = true;
    void this.opened?.then(
      (t) => t.close(),
      () => undefined,
    );
  }
}
