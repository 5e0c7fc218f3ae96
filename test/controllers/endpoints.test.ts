import { describe, expect, test } from "bun:test";
import type { Service } from "../../src/api/types.ts";
import { endpointSubsets, resolveTargetPort } from "../../src/controllers/endpoints.ts";
import { pod } from "./fixtures.ts";

const svc: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
};

function withPort(p: ReturnType<typeof pod>, name: string, port: number) {
  p.spec.containers[0].ports = [{ name, containerPort: port }];
  return p;
}

describe("endpoints", () => {
  test("named target ports resolve per pod; pods without the port are left out", () => {
    const a = withPort(pod({ name: "a", ip: "10.0.0.2", ready: true, node: "n1" }), "http", 8080);
    const b = withPort(pod({ name: "b", ip: "10.0.0.3", ready: true, node: "n1" }), "http", 9090);
    const c = withPort(pod({ name: "c", ip: "10.0.0.4", ready: true }), "metrics", 9100);
    expect(resolveTargetPort(svc.spec.ports![0], a)).toBe(8080);
    expect(resolveTargetPort(svc.spec.ports![0], c)).toBeUndefined();
    expect(resolveTargetPort({ port: 80 }, c)).toBe(80);
    const subsets = endpointSubsets(svc, [a, b, c]);
    expect(subsets.length).toBe(2);
    expect(subsets.flatMap((s) => s.addresses?.map((x) => x.ip) ?? []).sort()).toEqual(["10.0.0.2", "10.0.0.3"]);
    expect(subsets.find((s) => s.addresses?.[0].ip === "10.0.0.2")?.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
  });
  test("ready and not-ready addresses; terminating, finished, IP-less and unselected pods are out", () => {
    const s: Service = { ...svc, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } };
    const ready = pod({ name: "r", ip: "10.0.0.9", ready: true, node: "n1" });
    const notReady = pod({ name: "nr", ip: "10.0.0.1", ready: false, phase: "Running" });
    const subsets = endpointSubsets(s, [
      ready,
      notReady,
      pod({ name: "t", ip: "10.0.0.5", ready: true, deleting: true }),
      pod({ name: "f", ip: "10.0.0.6", phase: "Failed" }),
      pod({ name: "noip", ready: true }),
      pod({ name: "other", ip: "10.0.0.7", ready: true, labels: { app: "db" } }),
      pod({ name: "otherns", ip: "10.0.0.8", ready: true, namespace: "x" }),
    ]);
    expect(subsets).toEqual([
      {
        ports: [{ port: 8080, protocol: "TCP" }],
        addresses: [{ ip: "10.0.0.9", nodeName: "n1", targetRef: { kind: "Pod", namespace: "default", name: "r", uid: ready.metadata.uid } }],
        notReadyAddresses: [{ ip: "10.0.0.1", targetRef: { kind: "Pod", namespace: "default", name: "nr", uid: notReady.metadata.uid } }],
      },
    ]);
  });
  test("no matching pods: no subsets", () => {
    expect(endpointSubsets(svc, [])).toEqual([]);
  });
});
