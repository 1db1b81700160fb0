// A fake DRA kubelet plugin on real unix sockets: the registration service in the registration
// dir, the DRA services (v1 and v1beta1) on <pluginsDir>/<driver>/dra.sock (or on the
// registration socket when it advertises an empty endpoint). It records what the kubelet sent and
// answers as scripted. Used to test the stand-in kubelet; netclaim's own plugin is tested against
// the stand-in instead.
import * as grpc from "@grpc/grpc-js";
import { rm } from "node:fs/promises";
import {
  DRA_PLUGIN_TYPE,
  DRA_SERVICE_V1,
  DRA_SERVICE_V1BETA1,
  draSocketPath,
  kubeletServices,
  registrationSocketPath,
} from "../../src/k8s/kubelet-grpc.ts";
import type { Claim__Output } from "../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/Claim.ts";
import type { DRAPluginHandlers } from "../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/DRAPlugin.ts";
import type { NodePrepareResourceResponse } from "../../src/generated/dra-v1/k8s/io/kubelet/pkg/apis/dra/v1/NodePrepareResourceResponse.ts";
import type { RegistrationHandlers } from "../../src/generated/pluginregistration-v1/pluginregistration/Registration.ts";
import type { RegistrationStatus__Output } from "../../src/generated/pluginregistration-v1/pluginregistration/RegistrationStatus.ts";
import { EventLog } from "../harness/kubelet/event-log.ts";
import { bindUnix, shutdownUnix } from "../harness/kubelet/grpc-unix.ts";

export type DraServiceName = typeof DRA_SERVICE_V1 | typeof DRA_SERVICE_V1BETA1;

export interface FakeDraPluginOptions {
  driverName: string;
  registrationDir: string;
  pluginsDir: string;
  /** supported_versions to advertise; default ["v1.DRAPlugin", "v1beta1.DRAPlugin"]. */
  supportedVersions?: string[];
  /** PluginInfo.type; default "DRAPlugin". */
  pluginType?: string;
  /** PluginInfo.endpoint; default <pluginsDir>/<driver>/dra.sock. "" serves DRA on the registration socket. */
  endpoint?: string;
  /** Registration socket path; default <registrationDir>/<driver>-reg.sock. */
  registrationSocket?: string;
  /** false: serve only the registration service (the endpoint belongs to someone else). */
  serveDra?: boolean;
}

/** One NodePrepareResources or NodeUnprepareResources call as received. */
export interface DraCall {
  method: "NodePrepareResources" | "NodeUnprepareResources";
  service: DraServiceName;
  claims: Claim__Output[];
  /** The call's deadline in ms since the epoch (Infinity when none). */
  deadlineMs: number;
  receivedAtMs: number;
}

/** Scripted per-claim answer: devices, an error, or no entry at all in the response map. */
export type ClaimReply =
  { devices: NonNullable<NodePrepareResourceResponse["devices"]> } | { error: string } | "omit";

export class FakeDraPlugin {
  readonly driverName: string;
  readonly registrationSocket: string;
  readonly endpoint: string;
  readonly calls = new EventLog<DraCall>();
  readonly registrationStatuses = new EventLog<RegistrationStatus__Output>();
  getInfoCalls = 0;
  /** When true, GetInfo answers UNAVAILABLE (a plugin that stopped answering). */
  getInfoFailing = false;
  /** Per-claim-UID prepare replies; claims without one get one device named after the claim. */
  readonly prepareReplies = new Map<string, ClaimReply>();
  /** Per-claim-UID unprepare errors. */
  readonly unprepareErrors = new Map<string, string>();
  /** Delay before answering DRA calls (to exceed a client deadline). */
  delayMs = 0;
  private readonly options: FakeDraPluginOptions;
  private failures: { remaining: number; code: grpc.status } = {
    remaining: 0,
    code: grpc.status.UNAVAILABLE,
  };
  private servers: { server: grpc.Server; socket: string }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: FakeDraPluginOptions) {
    this.options = options;
    this.driverName = options.driverName;
    this.registrationSocket =
      options.registrationSocket ?? registrationSocketPath(options.driverName, options.registrationDir);
    this.endpoint = options.endpoint ?? draSocketPath(options.driverName, options.pluginsDir);
  }

  /** The next `count` DRA calls fail with `code` before any work. */
  failNextCalls(count: number, code: grpc.status = grpc.status.UNAVAILABLE): void {
    this.failures = { remaining: count, code };
  }

  /** Serves DRA first, then creates the registration socket (what the kubelet watches for). */
  async start(): Promise<void> {
    const services = kubeletServices();
    const serveDra = this.options.serveDra ?? true;
    const dra = this.endpoint === "" || !serveDra ? undefined : new grpc.Server();
    const registration = new grpc.Server();
    if (serveDra) {
      const draServer = dra ?? registration;
      draServer.addService(services.draV1.service, this.draHandlers(DRA_SERVICE_V1));
      draServer.addService(services.draV1beta1.service, this.draHandlers(DRA_SERVICE_V1BETA1));
    }
    registration.addService(services.registration.service, this.registrationHandlers());
    if (dra !== undefined) {
      await bindUnix(dra, this.endpoint);
      this.servers.push({ server: dra, socket: this.endpoint });
    }
    await bindUnix(registration, this.registrationSocket);
    this.servers.push({ server: registration, socket: this.registrationSocket });
  }

  /** Removes the registration socket file only (the kubelet should deregister the plugin). */
  async removeRegistrationSocket(): Promise<void> {
    await rm(this.registrationSocket, { force: true });
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const servers = this.servers;
    this.servers = [];
    for (const { server, socket } of servers.reverse()) await shutdownUnix(server, socket);
  }

  private registrationHandlers(): RegistrationHandlers {
    return {
      GetInfo: (_call, callback) => {
        this.getInfoCalls++;
        if (this.getInfoFailing) {
          callback({ code: grpc.status.UNAVAILABLE, details: "fake plugin: not answering" });
          return;
        }
        callback(null, {
          type: this.options.pluginType ?? DRA_PLUGIN_TYPE,
          name: this.driverName,
          endpoint: this.endpoint,
          supported_versions: this.options.supportedVersions ?? [DRA_SERVICE_V1, DRA_SERVICE_V1BETA1],
        });
      },
      NotifyRegistrationStatus: (call, callback) => {
        this.registrationStatuses.push(call.request);
        callback(null, {});
      },
    };
  }

  private draHandlers(service: DraServiceName): DRAPluginHandlers {
    return {
      NodePrepareResources: (call, callback) => {
        const claims = call.request.claims;
        this.calls.push({ method: "NodePrepareResources", service, claims, ...timing(call) });
        this.answer(callback, () => ({ claims: this.prepareAnswers(claims) }));
      },
      NodeUnprepareResources: (call, callback) => {
        const claims = call.request.claims;
        this.calls.push({ method: "NodeUnprepareResources", service, claims, ...timing(call) });
        this.answer(callback, () => ({
          claims: Object.fromEntries(
            claims.map((c) => [c.uid, { error: this.unprepareErrors.get(c.uid) ?? "" }]),
          ),
        }));
      },
    };
  }

  private answer<T>(callback: grpc.sendUnaryData<T>, reply: () => T): void {
    if (this.failures.remaining > 0) {
      this.failures.remaining--;
      callback({ code: this.failures.code, details: "fake plugin: scripted failure" });
      return;
    }
    if (this.delayMs <= 0) {
      callback(null, reply());
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback(null, reply());
    }, this.delayMs);
    this.timers.add(timer);
  }

  private prepareAnswers(claims: Claim__Output[]): Record<string, NodePrepareResourceResponse> {
    const answers: Record<string, NodePrepareResourceResponse> = {};
    for (const claim of claims) {
      const reply = this.prepareReplies.get(claim.uid) ?? defaultReply(this.driverName, claim);
      if (reply === "omit") continue;
      answers[claim.uid] = "error" in reply ? { error: reply.error } : { devices: reply.devices };
    }
    return answers;
  }
}

function timing(call: grpc.ServerUnaryCall<unknown, unknown>): { deadlineMs: number; receivedAtMs: number } {
  const deadline = call.getDeadline();
  return { deadlineMs: deadline instanceof Date ? deadline.getTime() : deadline, receivedAtMs: Date.now() };
}

function defaultReply(driverName: string, claim: Claim__Output): ClaimReply {
  return {
    devices: [
      {
        request_names: [],
        pool_name: "pool-a",
        device_name: `dev-${claim.name}`,
        cdi_device_ids: [`${driverName}/net=${claim.uid}`],
      },
    ],
  };
}
