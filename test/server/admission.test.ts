import { describe, expect, test } from "bun:test";
import { ConfigMaps, Deployments, Namespaces, Pods } from "../../src/api/registry.ts";
import type { KubeObject } from "../../src/api/types.ts";
import { admitCreate, admitUpdate, checkKind, readyToRemove, reconcileNamespace } from "../../src/server/admission.ts";

const ctx = { uid: "uid-1", now: new Date("2026-01-01T00:00:00.123Z") };
const deploy = (replicas = 1): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d", namespace: "default" },
  spec: { replicas, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
});

describe("admission", () => {
  test("create stamps server fields and drops client-sent ones", () => {
    const obj = admitCreate(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "default", uid: "forged", resourceVersion: "77", deletionTimestamp: "2020-01-01T00:00:00Z" } }, ctx);
    expect(obj.metadata.uid).toBe("uid-1");
    expect(obj.metadata.creationTimestamp).toBe("2026-01-01T00:00:00Z");
    expect(obj.metadata.generation).toBe(1);
    expect(obj.metadata.resourceVersion).toBeUndefined();
    expect(obj.metadata.deletionTimestamp).toBeUndefined();
  });

  test("generateName", () => {
    const obj = admitCreate(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "web-", namespace: "default" } }, ctx);
    expect(obj.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  test("status is reset on create when the status subresource owns it; namespaces get their finalizer", () => {
    const p = admitCreate(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [{ name: "c", image: "i" }] }, status: { phase: "Running" } }, ctx);
    expect((p.status as { phase?: string } | undefined)?.phase).not.toBe("Running");
    const ns = admitCreate(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "n" } }, ctx);
    expect(ns.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(ns.status).toEqual({ phase: "Active" });
  });

  test("invalid objects are 422 with causes", () => {
    try {
      admitCreate(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Bad_Name", namespace: "default" } }, ctx);
      throw new Error("accepted");
    } catch (err) {
      const e = err as { code: number; details?: { causes?: { field?: string }[] } };
      expect(e.code).toBe(422);
      expect(e.details?.causes?.some((c) => c.field === "metadata.name")).toBe(true);
    }
  });

  test("generation moves only with spec; status writes keep spec and vice versa", () => {
    const old = admitCreate(Deployments, deploy(1), ctx);
    old.metadata.resourceVersion = "3";
    old.status = { replicas: 1 };
    const labelsOnly = admitUpdate(Deployments, { ...structuredClone(old), metadata: { ...old.metadata, labels: { x: "y" } } }, old, "main");
    expect(labelsOnly.metadata.generation).toBe(1);
    const scaled = admitUpdate(Deployments, { ...deploy(3), status: { replicas: 99 } }, old, "main");
    expect(scaled.metadata.generation).toBe(2);
    expect(scaled.status).toEqual({ replicas: 1 });
    expect(scaled.metadata.uid).toBe("uid-1");
    const status = admitUpdate(Deployments, { ...deploy(7), status: { replicas: 2 } }, old, "status");
    expect((status.spec as { replicas: number }).replicas).toBe(1);
    expect(status.status).toEqual({ replicas: 2 });
    expect(status.metadata.generation).toBe(1);
  });

  test("a different uid is a failed precondition (409)", () => {
    const old = admitCreate(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" } }, ctx);
    expect(() => admitUpdate(ConfigMaps, { ...structuredClone(old), metadata: { ...old.metadata, uid: "someone-else" } }, old, "main")).toThrow(/Precondition failed: UID/);
  });

  test("no new finalizers once deleting", () => {
    const old: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default", uid: "u", deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["a"] } };
    expect(() => admitUpdate(ConfigMaps, { ...structuredClone(old), metadata: { ...old.metadata, finalizers: ["a", "b"] } }, old, "main")).toThrow(/no new finalizers/);
    const emptied = admitUpdate(ConfigMaps, { ...structuredClone(old), metadata: { ...old.metadata, finalizers: [] } }, old, "main");
    expect(readyToRemove(emptied)).toBe(true);
  });

  test("kind checks", () => {
    expect(() => checkKind(ConfigMaps, { apiVersion: "v1", kind: "Secret", metadata: {} })).toThrow(/do not match/);
    expect(() => checkKind(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: "x" })).toThrow(/metadata/);
    expect(checkKind(ConfigMaps, { metadata: { name: "a" } }).kind).toBe("ConfigMap");
  });

  test("namespaces: filled from the path, mismatch rejected, cleared on cluster-scoped kinds", () => {
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } };
    reconcileNamespace(ConfigMaps, cm, "a");
    expect(cm.metadata.namespace).toBe("a");
    expect(() => reconcileNamespace(ConfigMaps, cm, "b")).toThrow(/does not match/);
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "n", namespace: "default" } };
    reconcileNamespace(Namespaces, ns, undefined);
    expect(ns.metadata.namespace).toBeUndefined();
  });
});
