import { describe, expect, test } from "bun:test";
import { Pods } from "../../src/api/registry.ts";
import type { KubeObject } from "../../src/api/types.ts";
import { desiredObject, lastAppliedAnnotation, lastAppliedOf, mergeValue, planApply, withLastApplied } from "../../src/cli/apply.ts";

function manifest(labels: Record<string, string>, containers: Record<string, unknown>[] = [{ name: "c", image: "nginx:1" }]): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", labels }, spec: { containers } };
}

/** What the server would store: defaults, status, uid, resourceVersion. */
function live(applied: KubeObject, extra: Record<string, string> = {}): KubeObject {
  const o = structuredClone(applied);
  o.metadata = { ...o.metadata, uid: "u1", resourceVersion: "5", creationTimestamp: "2026-01-01T00:00:00Z", labels: { ...o.metadata.labels, ...extra } };
  const spec = o.spec as { containers: Record<string, unknown>[]; restartPolicy?: string };
  spec.restartPolicy = "Always";
  spec.containers = spec.containers.map((c) => ({ imagePullPolicy: "IfNotPresent", ...c }));
  o.status = { phase: "Running" };
  return o;
}

describe("apply decisions", () => {
  test("absent: create with the last-applied annotation", () => {
    const desired = withLastApplied(manifest({ app: "web" }));
    const plan = planApply(undefined, desired);
    expect(plan.action).toBe("create");
    const recorded = lastAppliedOf(desired);
    const expected = manifest({ app: "web" });
    expected.metadata.annotations = {};
    expect(recorded).toEqual(expected as never);
    // Byte for byte what kubectl writes: keys sorted at every level, then a newline.
    expect(desired.metadata.annotations?.[lastAppliedAnnotation]).toBe(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"containers":[{"image":"nginx:1","name":"c"}]}}\n',
    );
  });

  test("same manifest again: unchanged, although the server added defaults and status", () => {
    const desired = withLastApplied(manifest({ app: "web" }));
    expect(planApply(live(desired), desired)).toEqual({ action: "unchanged" });
  });

  test("a changed field: update carrying the live resourceVersion, keeping defaults and status", () => {
    const first = withLastApplied(manifest({ app: "web" }));
    const second = withLastApplied(manifest({ app: "web" }, [{ name: "c", image: "nginx:2" }]));
    const plan = planApply(live(first), second);
    expect(plan.action).toBe("update");
    if (plan.action !== "update") return;
    expect(plan.obj.metadata.resourceVersion).toBe("5");
    expect(plan.obj.metadata.uid).toBe("u1");
    expect(plan.obj.status).toEqual({ phase: "Running" });
    const spec = plan.obj.spec as { containers: Record<string, unknown>[]; restartPolicy: string };
    expect(spec.containers).toEqual([{ name: "c", image: "nginx:2", imagePullPolicy: "IfNotPresent" }]);
    expect(spec.restartPolicy).toBe("Always");
    expect(lastAppliedOf(plan.obj)).toEqual(lastAppliedOf(second));
  });

  test("a field removed from the manifest is removed; fields others set are kept", () => {
    const first = withLastApplied(manifest({ app: "web", tier: "front" }));
    const second = withLastApplied(manifest({ app: "web" }));
    const plan = planApply(live(first, { "added-by-hand": "yes" }), second);
    expect(plan.action).toBe("update");
    if (plan.action !== "update") return;
    expect(plan.obj.metadata.labels).toEqual({ app: "web", "added-by-hand": "yes" });
  });

  test("list items merge by name; a removed item goes", () => {
    const merged = mergeValue(
      [{ name: "a", image: "1", d: 1 }, { name: "b", image: "1" }],
      [{ name: "a", image: "1" }, { name: "b", image: "1" }],
      [{ name: "a", image: "2" }],
    );
    expect(merged).toEqual([{ name: "a", image: "2", d: 1 }]);
  });

  test("null in the manifest deletes the field", () => {
    expect(mergeValue({ a: 1, b: 2 }, undefined, { a: null })).toEqual({ b: 2 });
  });

  test("desiredObject resolves the namespace and refuses a mismatch with -n", () => {
    const m = { obj: manifest({}), rt: Pods, source: "x.yaml" };
    expect(desiredObject(m, undefined).metadata.namespace).toBe("default");
    expect(() => desiredObject(m, "prod")).toThrow(/does not match the namespace "prod"/);
    const noNs = { ...m, obj: { ...m.obj, metadata: { name: "web" } } };
    expect(desiredObject(noNs, "prod").metadata.namespace).toBe("prod");
    expect(desiredObject(noNs, "prod").metadata.annotations?.[lastAppliedAnnotation]).toContain('"namespace":"prod"');
  });
});
