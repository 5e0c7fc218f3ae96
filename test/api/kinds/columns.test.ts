import { describe, expect, test } from "bun:test";
import { podStatusReason } from "../../../src/api/kinds/pod.ts";
import { nodeRoles, nodeStatus } from "../../../src/api/kinds/node.ts";
import { formatEndpoints } from "../../../src/api/kinds/endpoints.ts";
import { CronJobs, DaemonSets, Deployments, Events, Jobs, Nodes, Pods, registry, ReplicaSets, ReplicationControllers, Secrets, Services } from "../../../src/api/registry.ts";
import type { Column, ResourceType } from "../../../src/api/resource-type.ts";
import type { ContainerStatus, KubeObject, Node, Pod } from "../../../src/api/types.ts";

const now = Date.parse("2026-01-01T01:00:00Z");
const created = "2026-01-01T00:00:00Z";

function row<T extends KubeObject>(rt: ResourceType<T>, obj: T, wide = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of rt.columns as Column<T>[]) if (wide || !c.priority) out[c.name] = c.value(obj, now);
  return out;
}

function pod(statuses: ContainerStatus[], extra: Partial<Pod["status"]> = {}, init?: ContainerStatus[]): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", creationTimestamp: created },
    spec: { containers: statuses.map((s) => ({ name: s.name })), initContainers: init?.map((s) => ({ name: s.name })) },
    status: { phase: "Running", containerStatuses: statuses, initContainerStatuses: init, ...extra },
  };
}

const running = (name: string, ready = true, restartCount = 0): ContainerStatus => ({ name, ready, restartCount, state: { running: { startedAt: created } } });

describe("pod STATUS like kubectl", () => {
  test.each<[string, Pod]>([
    ["Running", pod([running("a"), running("b")])],
    ["Pending", { ...pod([]), status: { phase: "Pending" } }],
    ["Pending", { apiVersion: "v1", kind: "Pod", metadata: {}, spec: { containers: [] } }],
    ["CrashLoopBackOff", pod([running("a"), { name: "b", ready: false, restartCount: 5, state: { waiting: { reason: "CrashLoopBackOff" } } }])],
    ["Completed", pod([{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }], { phase: "Succeeded" })],
    ["Error", pod([{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error" } } }], { phase: "Failed" })],
    ["ExitCode:2", pod([{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }])],
    ["Signal:9", pod([{ name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }])],
    ["Evicted", pod([], { phase: "Failed", reason: "Evicted" })],
    ["Init:0/2", pod([running("a", false)], { phase: "Pending" }, [{ name: "i1", ready: false, restartCount: 0, state: { running: {} } }, { name: "i2", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }])],
    ["Init:1/2", pod([running("a", false)], { phase: "Pending" }, [{ name: "i1", ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } }, { name: "i2", ready: false, restartCount: 0, state: { running: {} } }])],
    ["Init:Error", pod([], { phase: "Pending" }, [{ name: "i1", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error" } } }])],
    ["Init:ExitCode:3", pod([], { phase: "Pending" }, [{ name: "i1", ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }])],
    ["Init:CrashLoopBackOff", pod([], { phase: "Pending" }, [{ name: "i1", ready: false, restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } } }])],
    [
      "NotReady",
      pod([running("a"), { name: "b", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }]),
    ],
  ])("%s", (want, p) => {
    expect(podStatusReason(p)).toBe(want);
  });

  test("Terminating wins", () => {
    const p = pod([running("a")]);
    p.metadata.deletionTimestamp = created;
    expect(podStatusReason(p)).toBe("Terminating");
  });

  test("READY, RESTARTS, AGE, wide IP and NODE", () => {
    const p = pod([running("a"), { ...running("b", false, 3), lastState: { terminated: { exitCode: 1, finishedAt: "2026-01-01T00:58:00Z" } } }], { podIP: "10.0.0.5" });
    p.spec.nodeName = "n1";
    expect(row(Pods, p)).toEqual({ READY: "1/2", STATUS: "Running", RESTARTS: "3 (2m ago)", AGE: "60m" });
    expect(row(Pods, p, true)).toMatchObject({ IP: "10.0.0.5", NODE: "n1", "NOMINATED NODE": "<none>" });
    expect(row(Pods, pod([running("a", true, 2)])).RESTARTS).toBe("2");
  });
});

describe("nodes", () => {
  const node = (ready: "True" | "False" | "Unknown" | undefined, extra: Partial<Node> = {}): Node => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "n", creationTimestamp: created, labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/master": "true" } },
    status: { conditions: ready ? [{ type: "Ready", status: ready }] : [], nodeInfo: { kubeletVersion: "v1.30.0-skiff" }, addresses: [{ type: "InternalIP", address: "192.168.1.5" }] },
    ...extra,
  });
  test("status and roles", () => {
    expect(nodeStatus(node("True"))).toBe("Ready");
    expect(nodeStatus(node("False"))).toBe("NotReady");
    expect(nodeStatus(node("Unknown"))).toBe("Unknown");
    expect(nodeStatus(node(undefined))).toBe("Unknown");
    expect(nodeStatus(node("True", { spec: { unschedulable: true } }))).toBe("Ready,SchedulingDisabled");
    expect(nodeRoles(node("True"))).toBe("control-plane,master");
    expect(nodeRoles({ apiVersion: "v1", kind: "Node", metadata: { labels: { "kubernetes.io/role": "edge" } } })).toBe("edge");
    expect(nodeRoles({ apiVersion: "v1", kind: "Node", metadata: {} })).toBe("<none>");
    expect(row(Nodes, node("True"), true)).toMatchObject({ STATUS: "Ready", VERSION: "v1.30.0-skiff", "INTERNAL-IP": "192.168.1.5", "EXTERNAL-IP": "<none>", AGE: "60m" });
  });
});

describe("other tables", () => {
  test("deployments and daemonsets", () => {
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", creationTimestamp: created }, spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "c", image: "i:1" }] } } }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    expect(row(Deployments, d, true)).toEqual({ READY: "2/3", "UP-TO-DATE": "3", AVAILABLE: "2", AGE: "60m", CONTAINERS: "c", IMAGES: "i:1", SELECTOR: "app=web" });
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { creationTimestamp: created }, spec: { selector: {}, template: { spec: { containers: [], nodeSelector: { zone: "a" } } } } };
    expect(row(DaemonSets, ds)).toEqual({ DESIRED: "0", CURRENT: "0", READY: "0", "UP-TO-DATE": "0", AVAILABLE: "0", "NODE SELECTOR": "zone=a", AGE: "60m" });
  });

  test("replicasets and replicationcontrollers: same table, each selector printed its own way", () => {
    const template = { spec: { containers: [{ name: "c", image: "i:1" }] } };
    const status = { replicas: 3, readyReplicas: 2 };
    const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1", creationTimestamp: created }, spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" as const }] }, template }, status };
    expect(row(ReplicaSets, rs, true)).toEqual({ DESIRED: "3", CURRENT: "3", READY: "2", AGE: "60m", CONTAINERS: "c", IMAGES: "i:1", SELECTOR: "app=web,tier" });
    const rc = { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "old", creationTimestamp: created }, spec: { replicas: 3, selector: { app: "old" }, template }, status };
    expect(row(ReplicationControllers, rc, true)).toEqual({ DESIRED: "3", CURRENT: "3", READY: "2", AGE: "60m", CONTAINERS: "c", IMAGES: "i:1", SELECTOR: "app=old" });
    expect(row(ReplicationControllers, { ...rc, spec: {} }, true).SELECTOR).toBe("<none>");
  });

  test("services", () => {
    const svc = (spec: object, status?: object) => ({ apiVersion: "v1", kind: "Service", metadata: { creationTimestamp: created }, spec, status });
    expect(row(Services, svc({ type: "ClusterIP", clusterIP: "10.43.0.10", ports: [{ port: 80, protocol: "TCP" }, { port: 53, protocol: "UDP" }] }))).toEqual({
      TYPE: "ClusterIP",
      "CLUSTER-IP": "10.43.0.10",
      "EXTERNAL-IP": "<none>",
      "PORT(S)": "80/TCP,53/UDP",
      AGE: "60m",
    });
    expect(row(Services, svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }))["PORT(S)"]).toBe("80:30080/TCP");
    expect(row(Services, svc({ type: "LoadBalancer", ports: [] }))["EXTERNAL-IP"]).toBe("<pending>");
    expect(row(Services, svc({ type: "LoadBalancer" }, { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } }))["EXTERNAL-IP"]).toBe("1.2.3.4");
    expect(row(Services, svc({ type: "ExternalName", externalName: "db.example.com" }))["EXTERNAL-IP"]).toBe("db.example.com");
  });

  test("endpoints", () => {
    const ep = { apiVersion: "v1", kind: "Endpoints", metadata: {}, subsets: [{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], notReadyAddresses: [{ ip: "10.0.0.9" }], ports: [{ port: 80 }, { port: 443 }] }] };
    expect(formatEndpoints(ep)).toBe("10.0.0.1:80,10.0.0.1:443,10.0.0.2:80 + 1 more...");
    expect(formatEndpoints({ apiVersion: "v1", kind: "Endpoints", metadata: {} })).toBe("<none>");
  });

  test("secrets, events, jobs, cronjobs", () => {
    expect(row(Secrets, { apiVersion: "v1", kind: "Secret", metadata: { creationTimestamp: created }, data: { a: "", b: "" } })).toEqual({ TYPE: "Opaque", DATA: "2", AGE: "60m" });
    const ev = { apiVersion: "v1", kind: "Event", metadata: {}, involvedObject: { kind: "Pod", name: "web-1" }, type: "Warning" as const, reason: "BackOff", message: "restarting\n", lastTimestamp: "2026-01-01T00:59:30Z" };
    expect(row(Events, ev)).toEqual({ "LAST SEEN": "30s", TYPE: "Warning", REASON: "BackOff", OBJECT: "pod/web-1", MESSAGE: "restarting" });
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { creationTimestamp: created }, spec: { completions: 3, template: { spec: { containers: [] } } }, status: { succeeded: 1, startTime: "2026-01-01T00:00:00Z" } };
    expect(row(Jobs, job)).toEqual({ COMPLETIONS: "1/3", DURATION: "60m", AGE: "60m" });
    const done = { ...job, status: { succeeded: 3, startTime: "2026-01-01T00:00:00Z", completionTime: "2026-01-01T00:00:45Z" } };
    expect(row(Jobs, done).DURATION).toBe("45s");
    const cj = { apiVersion: "batch/v1", kind: "CronJob", metadata: { creationTimestamp: created }, spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { containers: [] } } } } }, status: { active: [{ name: "x" }], lastScheduleTime: "2026-01-01T00:55:00Z" } };
    expect(row(CronJobs, cj)).toMatchObject({ SCHEDULE: "*/5 * * * *", SUSPEND: "False", ACTIVE: "1", "LAST SCHEDULE": "5m", AGE: "60m" });
  });

  test("every column copes with a bare object", () => {
    for (const rt of registry) {
      const bare = { apiVersion: "v1", kind: rt.kind, metadata: {} } as KubeObject;
      for (const c of rt.columns) expect(typeof c.value(bare, now)).toBe("string");
    }
  });
});
