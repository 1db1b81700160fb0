// The standard gRPC health service (grpc.health.v1.Health, grpc/grpc doc/health-checking.md), served
// on the DRA socket next to the DRA services, for `grpc_health_probe -addr unix://...` and the like.
//
// It is not one of the kubelet's protocols, so it is not in proto/ and src/generated/: its two
// messages are declared here as a protobuf.js JSON descriptor with the spec's names and numbers
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2;
//                                 SERVICE_UNKNOWN = 3; } ServingStatus status = 1; }
//   service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
//                    rpc Watch(HealthCheckRequest) returns (stream HealthCheckResponse); }
// Only Check is implemented; Watch answers UNIMPLEMENTED, which the spec allows clients to expect.
import * as grpc from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import { LOADER_OPTIONS } from "../../k8s/kubelet-grpc.ts";

export const GRPC_HEALTH_SERVICE = "grpc.health.v1.Health";

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  status: ServingStatus;
}

const HEALTH_DESCRIPTOR = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: "string", id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: "ServingStatus", id: 1 } },
                  nested: {
                    ServingStatus: {
                      values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 },
                    },
                  },
                },
                Health: {
                  methods: {
                    Check: { requestType: "HealthCheckRequest", responseType: "HealthCheckResponse" },
                    Watch: {
                      requestType: "HealthCheckRequest",
                      responseType: "HealthCheckResponse",
                      responseStream: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

type HealthClientConstructor = grpc.ServiceClientConstructor;

let loaded: HealthClientConstructor | undefined;

/** The service definition (and a client constructor, for tests and self-checks). */
export function grpcHealthService(): HealthClientConstructor {
  if (loaded === undefined) {
    const pkg = grpc.loadPackageDefinition(
      fromJSON(HEALTH_DESCRIPTOR as Parameters<typeof fromJSON>[0], LOADER_OPTIONS),
    ) as unknown as {
      grpc: { health: { v1: { Health: HealthClientConstructor } } };
    };
    loaded = pkg.grpc.health.v1.Health;
  }
  return loaded;
}

/**
 * Check's answer: `statusOf("")` is the server as a whole; `undefined` for a service name we do not
 * serve, which the spec answers with NOT_FOUND.
 */
export function grpcHealthHandlers(
  statusOf: (service: string) => Promise<ServingStatus | undefined>,
): grpc.UntypedServiceImplementation {
  const check: grpc.handleUnaryCall<HealthCheckRequest, HealthCheckResponse> = (call, callback) => {
    statusOf(call.request.service).then(
      (status) => {
        if (status === undefined) {
          const details = `unknown service ${call.request.service}`;
          callback({ code: grpc.status.NOT_FOUND, details });
        } else {
          callback(null, { status });
        }
      },
      () => callback(null, { status: "NOT_SERVING" }),
    );
  };
  return { Check: check };
}
