// Defaults and validation per kind, driven through the registry entries the
// server uses (defaults, then validate with the old object on update).
import { describe, expect, test } from "bun:test";
import { validateBinding } from "../../../src/api/kinds/pod-admission.ts";
import {
  ConfigMaps,
  ControllerRevisions,
  CronJobs,
  DaemonSets,
  Deployments,
  EndpointsResource,
  Events,
  Jobs,
  Leases,
  Namespaces,
  Nodes,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  Secrets,
  Services,
} from "../../../src/api/registry.ts";
import type { ResourceType } from "../../../src/api/resource-type.ts";
import type {
  Binding,
  ConfigMap,
  CronJob,
  DaemonSet,
  Deployment,
  Job,
  KubeObject,
  Pod,
  PodTemplateSpec,
  ReplicaSet,
  ReplicationController,
  Secret,
  Service,
  StatusCause,
} from "../../../src/api/types.ts";

/** Default then validate, like admission; returns "field:reason" strings. */
function admit<T extends KubeObject>(rt: ResourceType<T>, obj: T, old?: T): string[] {
  const o = structuredClone(obj);
  rt.defaults?.(o);
  let prev: T | undefined;
  if (old) {
    prev = structuredClone(old);
    rt.defaults?.(prev);
  }
  return (rt.validate?.(o, prev) ?? []).map((c: StatusCause) => `${c.field}:${c.reason}`);
}

function defaulted<T extends KubeObject>(rt: ResourceType<T>, obj: T): T {
  const o = structuredClone(obj);
  rt.defaults?.(o);
  return o;
}

const template = (labels: Record<string, string> = { app: "web" }, restartPolicy?: "Always" | "OnFailure" | "Never"): PodTemplateSpec => ({
  metadata: { labels },
  spec: { restartPolicy, containers: [{ name: "web", image: "nginx:1.27", ports: [{ name: "http", containerPort: 80 }] }] },
});

const pod = (spec: Partial<Pod["spec"]> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default" },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }], ...spec },
});

describe("Pod", () => {
  test("defaults", () => {
    const p = defaulted(
      Pods,
      pod({
        containers: [
          {
            name: "web",
            image: "nginx",
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: "1" } },
            env: [{ name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
          },
          { name: "tagged", image: "registry:5000/app:2.0" },
        ],
        volumes: [{ name: "cfg", configMap: { name: "c" } }],
      }),
    );
    expect(p.spec).toMatchObject({ restartPolicy: "Always", terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler" });
    const [c, tagged] = p.spec.containers;
    expect(c).toMatchObject({ terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "Always" });
    expect(tagged.imagePullPolicy).toBe("IfNotPresent");
    expect(c.ports?.[0].protocol).toBe("TCP");
    expect(c.readinessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, httpGet: { path: "/", scheme: "HTTP" } });
    expect(c.resources?.requests).toEqual({ cpu: "1" });
    expect(c.env?.[0].valueFrom?.fieldRef?.apiVersion).toBe("v1");
    expect(p.spec.volumes?.[0].configMap?.defaultMode).toBe(0o644);
    // Defaulting twice changes nothing.
    expect(defaulted(Pods, p)).toEqual(p);
  });

  test("quantities written as numbers are stored as strings", () => {
    const p = defaulted(Pods, pod({ containers: [{ name: "a", image: "x", resources: { limits: { cpu: 1 as unknown as string } } }] }));
    expect(p.spec.containers[0].resources).toEqual({ limits: { cpu: "1" }, requests: { cpu: "1" } });
    const n = defaulted(Nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: 4 as unknown as string, memory: "8Gi" } } });
    expect(n.status?.capacity).toEqual({ cpu: "4", memory: "8Gi" });
  });

  test("a valid pod, also without image when it has a command", () => {
    expect(admit(Pods, pod())).toEqual([]);
    expect(admit(Pods, pod({ containers: [{ name: "job", command: ["sleep", "1"] }] }))).toEqual([]);
  });

  test("containers", () => {
    expect(admit(Pods, pod({ containers: [] }))).toEqual(["spec.containers:FieldValueRequired"]);
    expect(admit(Pods, pod({ containers: [{ name: "" }] }))).toEqual(["spec.containers[0].name:FieldValueRequired", "spec.containers[0].image:FieldValueRequired"]);
    expect(admit(Pods, pod({ containers: [{ name: "Web", image: "x" }] }))).toEqual(["spec.containers[0].name:FieldValueInvalid"]);
    expect(admit(Pods, pod({ containers: [{ name: "a", image: "x" }, { name: "a", image: "y" }] }))).toEqual(["spec.containers[1].name:FieldValueDuplicate"]);
    expect(admit(Pods, pod({ containers: [{ name: "a", image: "x" }], initContainers: [{ name: "a", image: "y" }] }))).toEqual(["spec.initContainers[0].name:FieldValueDuplicate"]);
  });

  test("ports", () => {
    const ports = (p: NonNullable<Pod["spec"]["containers"][number]["ports"]>) => admit(Pods, pod({ containers: [{ name: "a", image: "x", ports: p }] }));
    expect(ports([{ containerPort: 0 }])).toEqual(["spec.containers[0].ports[0].containerPort:FieldValueInvalid"]);
    expect(ports([{ containerPort: 70000 }])).toEqual(["spec.containers[0].ports[0].containerPort:FieldValueInvalid"]);
    expect(ports([{ containerPort: 80, hostPort: 70000 }])).toEqual(["spec.containers[0].ports[0].hostPort:FieldValueInvalid"]);
    expect(ports([{ containerPort: 80, name: "http" }, { containerPort: 81, name: "http" }])).toEqual(["spec.containers[0].ports[1].name:FieldValueDuplicate"]);
    expect(ports([{ containerPort: 80, protocol: "HTTP" as "TCP" }])).toEqual(["spec.containers[0].ports[0].protocol:FieldValueNotSupported"]);
  });

  test("enums and numbers", () => {
    expect(admit(Pods, pod({ restartPolicy: "Sometimes" as "Always" }))).toEqual(["spec.restartPolicy:FieldValueNotSupported"]);
    expect(admit(Pods, pod({ terminationGracePeriodSeconds: -1 }))).toEqual(["spec.terminationGracePeriodSeconds:FieldValueInvalid"]);
    expect(admit(Pods, pod({ activeDeadlineSeconds: 0 }))).toEqual(["spec.activeDeadlineSeconds:FieldValueInvalid"]);
    expect(admit(Pods, pod({ nodeSelector: { "bad key": "x" } }))).toEqual(["spec.nodeSelector:FieldValueInvalid"]);
  });

  test("resources", () => {
    const res = (resources: object) => admit(Pods, pod({ containers: [{ name: "a", image: "x", resources }] }));
    expect(res({ requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "128Mi" } })).toEqual([]);
    expect(res({ requests: { cpu: "2" }, limits: { cpu: "1" } })).toEqual(["spec.containers[0].resources.requests:FieldValueInvalid"]);
    expect(res({ requests: { memory: "lots" } })).toEqual(["spec.containers[0].resources.requests[memory]:FieldValueInvalid"]);
    expect(res({ requests: { cpu: "-1" } })).toEqual(["spec.containers[0].resources.requests[cpu]:FieldValueInvalid"]);
  });

  test("probes, env, volumes", () => {
    const c = (extra: object) => admit(Pods, pod({ containers: [{ name: "a", image: "x", ports: [{ name: "http", containerPort: 80 }], ...extra }], volumes: [{ name: "data", emptyDir: {} }] }));
    expect(c({ livenessProbe: {} })).toEqual(["spec.containers[0].livenessProbe:FieldValueRequired"]);
    expect(c({ livenessProbe: { exec: { command: ["true"] }, tcpSocket: { port: 80 } } })).toEqual(["spec.containers[0].livenessProbe.tcpSocket:FieldValueForbidden"]);
    expect(c({ readinessProbe: { httpGet: { port: "http" } } })).toEqual([]);
    expect(c({ readinessProbe: { httpGet: { port: "nope" } } })).toEqual(["spec.containers[0].readinessProbe.httpGet.port:FieldValueInvalid"]);
    expect(c({ livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } })).toEqual(["spec.containers[0].livenessProbe.successThreshold:FieldValueInvalid"]);
    expect(c({ readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 0 } })).toEqual(["spec.containers[0].readinessProbe.periodSeconds:FieldValueInvalid"]);
    expect(c({ env: [{ name: "" }] })).toEqual(["spec.containers[0].env[0].name:FieldValueRequired"]);
    expect(c({ env: [{ name: "A", value: "x", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }] })).toEqual(["spec.containers[0].env[0].valueFrom:FieldValueInvalid"]);
    expect(c({ volumeMounts: [{ name: "data", mountPath: "/data" }] })).toEqual([]);
    expect(c({ volumeMounts: [{ name: "other", mountPath: "/data" }] })).toEqual(["spec.containers[0].volumeMounts[0].name:FieldValueNotFound"]);
    expect(admit(Pods, pod({ volumes: [{ name: "a", emptyDir: {} }, { name: "a", emptyDir: {} }] }))).toEqual(["spec.volumes[1].name:FieldValueDuplicate"]);
    expect(admit(Pods, pod({ volumes: [{ name: "h", hostPath: { path: "" } }] }))).toEqual(["spec.volumes[0].hostPath.path:FieldValueRequired"]);
  });

  test("tolerations and affinity", () => {
    expect(admit(Pods, pod({ tolerations: [{ operator: "Exists" }, { key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }] }))).toEqual([]);
    expect(admit(Pods, pod({ tolerations: [{ operator: "Equal", value: "v" }] }))).toEqual(["spec.tolerations[0].operator:FieldValueInvalid"]);
    expect(admit(Pods, pod({ tolerations: [{ key: "k", operator: "Exists", value: "v" }] }))).toEqual(["spec.tolerations[0].operator:FieldValueInvalid"]);
    expect(admit(Pods, pod({ tolerations: [{ key: "k", effect: "NoSchedule", tolerationSeconds: 5 }] }))).toEqual(["spec.tolerations[0].effect:FieldValueInvalid"]);
    const affinity = (nodeSelectorTerms: object[]) => admit(Pods, pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } } } } as Partial<Pod["spec"]>));
    expect(affinity([{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["4"] }] }])).toEqual([]);
    expect(affinity([])).toEqual(["spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms:FieldValueRequired"]);
    expect(affinity([{ matchExpressions: [{ key: "cores", operator: "Gt", values: ["4", "5"] }] }])).toEqual([
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values:FieldValueRequired",
    ]);
    expect(affinity([{ matchExpressions: [{ key: "cores", operator: "Lt", values: ["x"] }] }])).toEqual([
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]:FieldValueInvalid",
    ]);
    expect(affinity([{ matchFields: [{ key: "metadata.labels", operator: "In", values: ["x"] }] }])).toEqual([
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key:FieldValueNotSupported",
    ]);
    expect(admit(Pods, pod({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "", labelSelector: { matchLabels: { app: "web" } } }] } } }))).toEqual([
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey:FieldValueRequired",
    ]);
    expect(admit(Pods, pod({ topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" }] }))).toEqual(["spec.topologySpreadConstraints[0].maxSkew:FieldValueInvalid"]);
  });

  test("metadata", () => {
    expect(admit(Pods, { ...pod(), metadata: { namespace: "default" } })).toEqual(["metadata.name:FieldValueRequired"]);
    expect(admit(Pods, { ...pod(), metadata: { generateName: "web-", namespace: "default" } })).toEqual([]);
    expect(admit(Pods, { ...pod(), metadata: { name: "web.v1", namespace: "default", labels: { app: "x" } } })).toEqual([]);
    expect(admit(Pods, { ...pod(), metadata: { name: "Web", namespace: "default" } })).toEqual(["metadata.name:FieldValueInvalid"]);
  });

  test("updates: only images, deadline, added tolerations and a first nodeName", () => {
    const old = pod({ tolerations: [{ key: "a", operator: "Exists" }], activeDeadlineSeconds: 100 });
    const changed = (spec: Partial<Pod["spec"]>) => admit(Pods, { ...old, spec: { ...old.spec, ...spec } }, old);
    expect(changed({ containers: [{ name: "web", image: "nginx:1.28" }] })).toEqual([]);
    expect(changed({ activeDeadlineSeconds: 50 })).toEqual([]);
    expect(changed({ activeDeadlineSeconds: 200 })).toEqual(["spec.activeDeadlineSeconds:FieldValueInvalid"]);
    expect(changed({ tolerations: [{ key: "a", operator: "Exists" }, { key: "b", operator: "Exists" }] })).toEqual([]);
    expect(changed({ tolerations: [] })).toEqual(["spec.tolerations:FieldValueForbidden"]);
    expect(changed({ nodeName: "n1" })).toEqual([]);
    expect(admit(Pods, { ...old, spec: { ...old.spec, nodeName: "n2" } }, { ...old, spec: { ...old.spec, nodeName: "n1" } })).toEqual(["spec:FieldValueForbidden"]);
    expect(changed({ containers: [{ name: "web", image: "nginx:1.27", command: ["x"] }] })).toEqual(["spec:FieldValueForbidden"]);
    expect(changed({ restartPolicy: "Never" })).toEqual(["spec:FieldValueForbidden"]);
    expect(admit(Pods, { ...old, metadata: { ...old.metadata, name: "other" } }, old)).toEqual(["metadata.name:FieldValueInvalid"]);
    // Labels and status may change freely.
    expect(admit(Pods, { ...old, metadata: { ...old.metadata, labels: { a: "b" } }, status: { phase: "Running" } }, old)).toEqual([]);
  });

  test("binding", () => {
    const b = (name?: string): Binding => ({ apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { name: name as string } });
    expect(validateBinding(b("n1"))).toEqual([]);
    expect(validateBinding(b()).map((c) => c.field)).toEqual(["target.name"]);
    expect(validateBinding(b("Bad Node")).map((c) => c.reason)).toEqual(["FieldValueInvalid"]);
  });
});

describe("Service", () => {
  const svc = (spec: Service["spec"], name = "web"): Service => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default" }, spec });

  test("defaults", () => {
    const s = defaulted(Services, svc({ selector: { app: "web" }, ports: [{ port: 80 }, { name: "named", port: 81, targetPort: "http" }] }));
    expect(s.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None" });
    expect(s.spec.ports).toEqual([
      { port: 80, protocol: "TCP", targetPort: 80 },
      { name: "named", port: 81, targetPort: "http", protocol: "TCP" },
    ]);
  });

  test("validation", () => {
    expect(admit(Services, svc({ selector: { app: "web" }, ports: [{ port: 80 }] }))).toEqual([]);
    expect(admit(Services, svc({ ports: [{ port: 80 }] }, "1web"))).toEqual(["metadata.name:FieldValueInvalid"]);
    expect(admit(Services, svc({ ports: [] }))).toEqual(["spec.ports:FieldValueRequired"]);
    expect(admit(Services, svc({ clusterIP: "None" }))).toEqual([]);
    expect(admit(Services, svc({ ports: [{ port: 80 }, { port: 81 }] }))).toEqual(["spec.ports[0].name:FieldValueRequired", "spec.ports[1].name:FieldValueRequired"]);
    expect(admit(Services, svc({ ports: [{ name: "a", port: 80 }, { name: "a", port: 80 }] }))).toEqual(["spec.ports[1].name:FieldValueDuplicate", "spec.ports[1]:FieldValueDuplicate"]);
    expect(admit(Services, svc({ ports: [{ port: 0 }] }))).toEqual(["spec.ports[0].port:FieldValueInvalid", "spec.ports[0].targetPort:FieldValueInvalid"]);
    expect(admit(Services, svc({ ports: [{ port: 80, targetPort: "bad_name" }] }))).toEqual(["spec.ports[0].targetPort:FieldValueInvalid"]);
    expect(admit(Services, svc({ type: "Magic" as "ClusterIP", ports: [{ port: 80 }] }))).toEqual(["spec.type:FieldValueNotSupported"]);
    expect(admit(Services, svc({ ports: [{ port: 80, nodePort: 30080 }] }))).toEqual(["spec.ports[0].nodePort:FieldValueForbidden"]);
    expect(admit(Services, svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }))).toEqual([]);
    expect(admit(Services, svc({ type: "NodePort", ports: [{ port: 80, nodePort: 80 }] }))).toEqual(["spec.ports[0].nodePort:FieldValueInvalid"]);
    expect(admit(Services, svc({ type: "ExternalName" }))).toEqual(["spec.externalName:FieldValueRequired"]);
    expect(admit(Services, svc({ type: "ExternalName", externalName: "db.example.com" }))).toEqual([]);
    expect(admit(Services, svc({ clusterIP: "999.1.1.1", ports: [{ port: 80 }] }))).toEqual(["spec.clusterIP:FieldValueInvalid"]);
  });

  test("clusterIP is immutable", () => {
    const old = svc({ clusterIP: "10.43.0.5", ports: [{ port: 80 }] });
    expect(admit(Services, svc({ clusterIP: "10.43.0.5", ports: [{ port: 81 }] }), old)).toEqual([]);
    expect(admit(Services, svc({ clusterIP: "10.43.0.6", ports: [{ port: 80 }] }), old)).toEqual(["spec.clusterIP:FieldValueInvalid"]);
  });
});

describe("workloads", () => {
  const deployment = (spec: Partial<Deployment["spec"]> = {}): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { selector: { matchLabels: { app: "web" } }, template: template(), ...spec },
  });

  test("deployment defaults", () => {
    const d = defaulted(Deployments, deployment());
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
    expect(d.spec.template.spec.restartPolicy).toBe("Always");
    expect(d.spec.template.spec.containers[0].terminationMessagePath).toBe("/dev/termination-log");
    const r = defaulted(Deployments, deployment({ strategy: { type: "Recreate" } }));
    expect(r.spec.strategy).toEqual({ type: "Recreate" });
  });

  test("deployment validation", () => {
    expect(admit(Deployments, deployment())).toEqual([]);
    expect(admit(Deployments, deployment({ replicas: -1 }))).toEqual(["spec.replicas:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ selector: undefined as unknown as Deployment["spec"]["selector"] }))).toEqual(["spec.selector:FieldValueRequired"]);
    expect(admit(Deployments, deployment({ selector: {} }))).toEqual(["spec.selector:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ selector: { matchLabels: { app: "db" } } }))).toEqual(["spec.template.metadata.labels:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ template: template({ app: "web" }, "Never") }))).toEqual(["spec.template.spec.restartPolicy:FieldValueNotSupported"]);
    expect(admit(Deployments, deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } } }))).toEqual(["spec.strategy.rollingUpdate.maxUnavailable:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "x" } } }))).toEqual(["spec.strategy.rollingUpdate.maxSurge:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ strategy: { type: "Recreate", rollingUpdate: {} } }))).toEqual(["spec.strategy.rollingUpdate:FieldValueForbidden"]);
    expect(admit(Deployments, deployment({ minReadySeconds: 600 }))).toEqual(["spec.progressDeadlineSeconds:FieldValueInvalid"]);
    expect(admit(Deployments, deployment({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } } }))).toEqual(["spec.template.spec.containers:FieldValueRequired"]);
  });

  test("deployment selector is immutable; the template is not", () => {
    const old = deployment();
    expect(admit(Deployments, deployment({ replicas: 5, template: template({ app: "web", v: "2" }) }), old)).toEqual([]);
    expect(admit(Deployments, deployment({ selector: { matchLabels: { app: "web", v: "2" } }, template: template({ app: "web", v: "2" }) }), old)).toEqual(["spec.selector:FieldValueInvalid"]);
  });

  test("replicasets", () => {
    const rs: ReplicaSet = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-1", namespace: "default" }, spec: { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, template: template() } };
    expect(defaulted(ReplicaSets, rs).spec.replicas).toBe(1);
    expect(admit(ReplicaSets, rs)).toEqual([]);
    expect(admit(ReplicaSets, { ...rs, spec: { ...rs.spec, template: template({ app: "db" }) } })).toEqual(["spec.template.metadata.labels:FieldValueInvalid"]);
    expect(admit(ReplicaSets, { ...rs, spec: { ...rs.spec, selector: { matchLabels: { app: "web" } } } }, rs)).toEqual(["spec.selector:FieldValueInvalid"]);
  });

  test("replication controllers default their selector from the template", () => {
    const rc: ReplicationController = { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web", namespace: "default" }, spec: { template: template() } };
    const d = defaulted(ReplicationControllers, rc);
    expect(d.spec.selector).toEqual({ app: "web" });
    expect(d.metadata.labels).toEqual({ app: "web" });
    expect(d.spec.replicas).toBe(1);
    expect(admit(ReplicationControllers, rc)).toEqual([]);
    expect(admit(ReplicationControllers, { ...rc, spec: { selector: { app: "db" }, template: template() } })).toEqual(["spec.template.metadata.labels:FieldValueInvalid"]);
    expect(admit(ReplicationControllers, { ...rc, spec: { template: template({}) } })).toEqual(["spec.selector:FieldValueRequired"]);
  });

  test("daemonsets", () => {
    const ds: DaemonSet = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "default" }, spec: { selector: { matchLabels: { app: "web" } }, template: template() } };
    const d = defaulted(DaemonSets, ds);
    expect(d.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(admit(DaemonSets, ds)).toEqual([]);
    expect(admit(DaemonSets, { ...ds, spec: { ...ds.spec, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } })).toEqual([
      "spec.updateStrategy.rollingUpdate.maxUnavailable:FieldValueInvalid",
    ]);
    expect(admit(DaemonSets, { ...ds, spec: { ...ds.spec, updateStrategy: { type: "Sometimes" as "OnDelete" } } })).toEqual(["spec.updateStrategy.type:FieldValueNotSupported"]);
  });

  test("controller revisions", () => {
    const cr = { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "ds-1", namespace: "default" }, revision: 1, data: { a: 1 } };
    expect(admit(ControllerRevisions, cr)).toEqual([]);
    expect(admit(ControllerRevisions, { ...cr, revision: -1 })).toEqual(["revision:FieldValueInvalid"]);
    expect(admit(ControllerRevisions, { ...cr, data: { a: 2 } }, cr)).toEqual(["data:FieldValueInvalid"]);
  });
});

describe("jobs", () => {
  const job = (spec: Partial<Job["spec"]> = {}): Job => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default" },
    spec: { template: template({ job: "pi" }, "Never"), ...spec },
  });

  test("defaults", () => {
    expect(defaulted(Jobs, job()).spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false });
    const p = defaulted(Jobs, job({ parallelism: 3 }));
    expect(p.spec.completions).toBeUndefined();
    expect(p.spec.selector).toBeUndefined();
  });

  test("validation", () => {
    expect(admit(Jobs, job())).toEqual([]);
    // As in Kubernetes, a Job must say how its pods restart: the template's default (Always) is refused.
    expect(admit(Jobs, job({ template: template({ job: "pi" }) }))).toEqual(["spec.template.spec.restartPolicy:FieldValueNotSupported"]);
    expect(admit(Jobs, job({ backoffLimit: -1 }))).toEqual(["spec.backoffLimit:FieldValueInvalid"]);
    expect(admit(Jobs, job({ completionMode: "Indexed", completions: undefined, parallelism: 2 }))).toEqual(["spec.completions:FieldValueRequired"]);
    expect(admit(Jobs, job({ selector: { matchLabels: { job: "other" } } }))).toEqual(["spec.template.metadata.labels:FieldValueInvalid"]);
    expect(admit(Jobs, job({ selector: { matchLabels: { job: "pi" } } }))).toEqual([]);
  });

  test("template and completions are immutable", () => {
    const old = job();
    expect(admit(Jobs, job({ parallelism: 5, completions: 1 }), old)).toEqual([]);
    expect(admit(Jobs, job({ template: template({ job: "pi", v: "2" }, "Never") }), old)).toEqual(["spec.template:FieldValueInvalid"]);
    expect(admit(Jobs, job({ completions: 4 }), old)).toEqual(["spec.completions:FieldValueInvalid"]);
  });

  const cronjob = (spec: Partial<CronJob["spec"]> = {}, name = "nightly"): CronJob => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default" },
    spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: template({ job: "n" }, "OnFailure") } }, ...spec },
  });

  test("cronjob defaults and validation", () => {
    const d = defaulted(CronJobs, cronjob());
    expect(d.spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(d.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(admit(CronJobs, cronjob())).toEqual([]);
    expect(admit(CronJobs, cronjob({ schedule: "@hourly", timeZone: "Europe/Berlin" }))).toEqual([]);
    expect(admit(CronJobs, cronjob({ schedule: "61 * * * *" }))).toEqual(["spec.schedule:FieldValueInvalid"]);
    expect(admit(CronJobs, cronjob({ schedule: "" }))).toEqual(["spec.schedule:FieldValueRequired"]);
    expect(admit(CronJobs, cronjob({ timeZone: "Nowhere/Land" }))).toEqual(["spec.timeZone:FieldValueInvalid"]);
    expect(admit(CronJobs, cronjob({ concurrencyPolicy: "Sometimes" as "Allow" }))).toEqual(["spec.concurrencyPolicy:FieldValueNotSupported"]);
    expect(admit(CronJobs, cronjob({}, "x".repeat(53)))).toEqual(["metadata.name:FieldValueInvalid"]);
    expect(admit(CronJobs, cronjob({ jobTemplate: { spec: { template: template({ job: "n" }, "Always") } } }))).toEqual(["spec.jobTemplate.spec.template.spec.restartPolicy:FieldValueNotSupported"]);
  });
});

describe("configuration and the rest", () => {
  test("configmaps", () => {
    const cm: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { "app.conf": "x=1" } };
    expect(admit(ConfigMaps, cm)).toEqual([]);
    expect(admit(ConfigMaps, { ...cm, data: { "a/b": "x" } })).toEqual(["data:FieldValueInvalid"]);
    expect(admit(ConfigMaps, { ...cm, binaryData: { "app.conf": "eA==" } })).toEqual(["data:FieldValueDuplicate"]);
    expect(admit(ConfigMaps, { ...cm, data: { big: "x".repeat(1024 * 1024) } })).toEqual([":FieldValueTooLong"]);
    const frozen = { ...cm, immutable: true };
    expect(admit(ConfigMaps, { ...frozen, metadata: { ...cm.metadata, labels: { a: "b" } } }, frozen)).toEqual([]);
    expect(admit(ConfigMaps, { ...frozen, data: { "app.conf": "x=2" } }, frozen)).toEqual(["data:FieldValueForbidden"]);
    expect(admit(ConfigMaps, { ...cm, immutable: false }, frozen)).toEqual(["immutable:FieldValueForbidden"]);
    expect(admit(ConfigMaps, { ...cm, data: { "app.conf": "x=2" } }, cm)).toEqual([]);
  });

  test("secrets: defaults fold stringData into base64 data", () => {
    const s: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, data: { a: "YQ==" }, stringData: { password: "hünter2" } };
    const d = defaulted(Secrets, s);
    expect(d.type).toBe("Opaque");
    expect(d.stringData).toBeUndefined();
    expect(d.data).toEqual({ a: "YQ==", password: Buffer.from("hünter2").toString("base64") });
    expect(admit(Secrets, s)).toEqual([]);
    expect(admit(Secrets, { ...s, data: { a: "not base64!" } })).toEqual(["data[a]:FieldValueInvalid"]);
    expect(admit(Secrets, { ...s, type: "kubernetes.io/tls", data: { "tls.crt": "YQ==" }, stringData: undefined })).toEqual(["data[tls.key]:FieldValueRequired"]);
    expect(admit(Secrets, { ...s, type: "custom" }, s)).toEqual(["type:FieldValueInvalid"]);
    const frozen = { ...s, immutable: true };
    expect(admit(Secrets, { ...frozen, stringData: { password: "changed" } }, frozen)).toEqual(["data:FieldValueForbidden"]);
  });

  test("namespaces", () => {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
    expect(defaulted(Namespaces, ns).status).toEqual({ phase: "Active" });
    expect(admit(Namespaces, ns)).toEqual([]);
    expect(admit(Namespaces, { ...ns, metadata: { name: "team.a" } })).toEqual(["metadata.name:FieldValueInvalid"]);
    expect(admit(Namespaces, { ...ns, metadata: { name: "a", namespace: "b" } })).toEqual(["metadata.namespace:FieldValueForbidden"]);
  });

  test("nodes", () => {
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "edge-1.local" }, spec: { taints: [{ key: "gpu", effect: "NoSchedule" as const }] }, status: { capacity: { cpu: "4", memory: "8Gi" } } };
    expect(admit(Nodes, node)).toEqual([]);
    expect(admit(Nodes, { ...node, spec: { taints: [{ key: "gpu", effect: "Sometimes" as "NoSchedule" }] } })).toEqual(["spec.taints[0].effect:FieldValueNotSupported"]);
    expect(admit(Nodes, { ...node, spec: { taints: [node.spec.taints[0], node.spec.taints[0]] } })).toEqual(["spec.taints[1]:FieldValueDuplicate"]);
    expect(admit(Nodes, { ...node, status: { capacity: { cpu: "four" } } })).toEqual(["status.capacity[cpu]:FieldValueInvalid"]);
  });

  test("events need an involved object", () => {
    const ev = { apiVersion: "v1", kind: "Event", metadata: { name: "web.17a", namespace: "default" }, involvedObject: { kind: "Pod", name: "web", namespace: "default" }, type: "Normal" as const };
    expect(admit(Events, ev)).toEqual([]);
    expect(admit(Events, { ...ev, involvedObject: undefined as unknown as typeof ev.involvedObject })).toEqual(["involvedObject:FieldValueRequired"]);
    expect(admit(Events, { ...ev, involvedObject: { kind: "Pod", name: "web", namespace: "other" } })).toEqual(["involvedObject.namespace:FieldValueInvalid"]);
    expect(admit(Events, { ...ev, type: "Loud" as "Normal" })).toEqual(["type:FieldValueNotSupported"]);
  });

  test("endpoints and leases", () => {
    const ep = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "web", namespace: "default" }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] };
    expect(admit(EndpointsResource, ep)).toEqual([]);
    expect(admit(EndpointsResource, { ...ep, subsets: [{ addresses: [{ ip: "nope" }], ports: [{ port: 0 }] }] })).toEqual(["subsets[0].addresses[0].ip:FieldValueInvalid", "subsets[0].ports[0].port:FieldValueInvalid"]);
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { holderIdentity: "n1", leaseDurationSeconds: 40 } };
    expect(admit(Leases, lease)).toEqual([]);
    expect(admit(Leases, { ...lease, spec: { leaseDurationSeconds: 0 } })).toEqual(["spec.leaseDurationSeconds:FieldValueInvalid"]);
  });

  test("a missing spec is an error, not a crash", () => {
    for (const rt of [Pods, Services, Deployments, ReplicaSets, DaemonSets, Jobs, CronJobs, ReplicationControllers] as ResourceType[]) {
      const obj = { apiVersion: "v1", kind: rt.kind, metadata: { name: "x", namespace: "default" } } as KubeObject;
      expect(admit(rt, obj)).toContain("spec:FieldValueRequired");
    }
  });
});
