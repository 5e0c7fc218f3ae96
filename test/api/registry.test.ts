import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import {
  ConfigMaps,
  CronJobs,
  Deployments,
  EndpointsResource,
  findResource,
  groupVersions,
  keyFor,
  Leases,
  mustResourceForKind,
  Nodes,
  parseKey,
  Pods,
  prefixFor,
  registry,
  resourceFor,
  resourceForKind,
} from "../../src/api/registry.ts";
import { apiVersionOf } from "../../src/api/resource-type.ts";

describe("registry", () => {
  test("every kind, once", () => {
    const kinds = registry.map((rt) => `${apiVersionOf(rt)}/${rt.kind}`);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(registry.map((rt) => rt.kind).sort()).toEqual(
      ["ConfigMap", "ControllerRevision", "CronJob", "DaemonSet", "Deployment", "Endpoints", "Event", "Job", "Lease", "Namespace", "Node", "Pod", "ReplicaSet", "ReplicationController", "Secret", "Service"].sort(),
    );
  });

  test("names and short names are unambiguous", () => {
    const seen = new Map<string, string>();
    for (const rt of registry) {
      for (const n of new Set([rt.plural, rt.singular, rt.kind.toLowerCase(), ...rt.shortNames])) {
        expect(seen.get(n) ?? rt.kind).toBe(rt.kind);
        seen.set(n, rt.kind);
      }
    }
  });

  test("every entry is complete", () => {
    for (const rt of registry) {
      expect(rt.plural).toMatch(/^[a-z]+$/);
      expect(rt.singular).toMatch(/^[a-z]+$/);
      expect(rt.columns.length).toBeGreaterThan(0);
      expect(rt.validate).toBeDefined();
      expect(rt.statusSubresource).toBe(rt.subresources.includes("status"));
    }
  });

  test("subresources and scopes", () => {
    expect(Pods.subresources.sort()).toEqual(["binding", "log", "status"]);
    expect(Deployments.subresources.sort()).toEqual(["scale", "status"]);
    expect(resourceFor("rc")?.subresources.sort()).toEqual(["scale", "status"]);
    expect(Nodes.namespaced).toBe(false);
    expect(resourceFor("ns")?.namespaced).toBe(false);
    expect(ConfigMaps.subresources).toEqual([]);
    expect(Leases.group).toBe("coordination.k8s.io");
    expect(CronJobs.group).toBe("batch");
  });

  test("groupVersions", () => {
    expect(groupVersions()).toEqual(["v1", "coordination.k8s.io/v1", "apps/v1", "batch/v1"]);
  });
});

describe("lookups", () => {
  test.each([
    ["po", "Pod"],
    ["pods", "Pod"],
    ["pod", "Pod"],
    ["Pod", "Pod"],
    ["PODS", "Pod"],
    ["deploy", "Deployment"],
    ["Deployment", "Deployment"],
    ["deployments.apps", "Deployment"],
    ["deploy.apps", "Deployment"],
    ["deployments.v1.apps", "Deployment"],
    ["svc", "Service"],
    ["ep", "Endpoints"],
    ["endpoints", "Endpoints"],
    ["cm", "ConfigMap"],
    ["ev", "Event"],
    ["rs", "ReplicaSet"],
    ["ds", "DaemonSet"],
    ["cj", "CronJob"],
    ["jobs.batch", "Job"],
    ["leases.coordination.k8s.io", "Lease"],
    ["no", "Node"],
    ["pods.core", "Pod"],
  ])("resourceFor(%p) is %s", (name, kind) => {
    expect(resourceFor(name)?.kind).toBe(kind);
  });

  test.each(["", "bogus", "pods.apps", "deployments.batch", "deployments.v2.apps", "x.y"])("resourceFor(%p) is undefined", (name) => {
    expect(resourceFor(name)).toBeUndefined();
  });

  test("findResource", () => {
    expect(findResource("v1", "pods")).toBe(Pods);
    expect(findResource("", "pods")).toBe(Pods);
    expect(findResource("apps/v1", "deployments")).toBe(Deployments);
    expect(findResource("apps", "deployments")).toBe(Deployments);
    expect(findResource("apps/v2", "deployments")).toBeUndefined();
    expect(findResource("v1", "deployments")).toBeUndefined();
    expect(findResource("apps/v1", "pods")).toBeUndefined();
    expect(findResource("v1", "endpoints")).toBe(EndpointsResource);
  });

  test("resourceForKind", () => {
    expect(resourceForKind("apps/v1", "Deployment")).toBe(Deployments);
    expect(resourceForKind("v1", "Pod")).toBe(Pods);
    expect(resourceForKind("extensions/v1beta1", "Deployment")).toBeUndefined();
    expect(() => mustResourceForKind("example.com/v1", "Widget")).toThrow('no matches for kind "Widget" in version "example.com/v1"');
    expect(() => mustResourceForKind(undefined, "Pod")).toThrow(ApiError);
  });
});

describe("store keys", () => {
  test("keyFor and prefixFor", () => {
    expect(keyFor(Pods, "default", "web-1")).toBe("/core/pods/default/web-1");
    expect(keyFor(Deployments, "prod", "web")).toBe("/apps/deployments/prod/web");
    expect(keyFor(Nodes, undefined, "n1")).toBe("/core/nodes/n1");
    expect(keyFor(Nodes, "ignored", "n1")).toBe("/core/nodes/n1");
    expect(prefixFor(Pods, "default")).toBe("/core/pods/default/");
    expect(prefixFor(Pods)).toBe("/core/pods/");
    expect(prefixFor(Leases, "kube-node-lease")).toBe("/coordination.k8s.io/leases/kube-node-lease/");
    // A namespace's prefix never catches another namespace that starts the same way.
    expect(keyFor(Pods, "default2", "x").startsWith(prefixFor(Pods, "default"))).toBe(false);
  });

  test("parseKey inverts keyFor", () => {
    expect(parseKey(keyFor(Deployments, "prod", "web"))).toEqual({ resource: "deployments.apps", namespace: "prod", name: "web" });
    expect(parseKey(keyFor(Pods, "default", "p"))).toEqual({ resource: "pods", namespace: "default", name: "p" });
    expect(parseKey(keyFor(Nodes, undefined, "n1"))).toEqual({ resource: "nodes", name: "n1" });
    expect(parseKey(keyFor(Leases, "ns", "l"))).toEqual({ resource: "leases.coordination.k8s.io", namespace: "ns", name: "l" });
  });
});
