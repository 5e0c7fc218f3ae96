import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../src/api/types.ts";
import { decideDeletingOwner, decideDependent, type OwnerState } from "../../src/controllers/garbage-collector.ts";

function obj(name: string, owners: { uid: string; block?: boolean }[] = [], extra: Partial<KubeObject["metadata"]> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, ownerReferences: owners.map((o) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: o.uid, uid: o.uid, blockOwnerDeletion: o.block })), ...extra },
  };
}
const states = (e: Record<string, OwnerState>) => new Map(Object.entries(e));

describe("decideDependent", () => {
  test("all owners gone → delete in the background", () => {
    expect(decideDependent(obj("a", [{ uid: "o1" }]), states({ o1: "absent" }))).toEqual({ action: "delete", propagationPolicy: "Background" });
  });
  test("some owners gone → only the dangling references go", () => {
    const a = obj("a", [{ uid: "o1" }, { uid: "o2" }]);
    expect(decideDependent(a, states({ o1: "absent", o2: "present" }))).toEqual({ action: "setOwners", ownerReferences: [a.metadata.ownerReferences![1]] });
  });
  test("owner deleting in the foreground → delete in the foreground", () => {
    expect(decideDependent(obj("a", [{ uid: "o1" }]), states({ o1: "deletingForeground" }))).toEqual({ action: "delete", propagationPolicy: "Foreground" });
  });
  test("live owners, no owners, or already deleting → nothing", () => {
    expect(decideDependent(obj("a", [{ uid: "o1" }]), states({ o1: "present" })).action).toBe("none");
    expect(decideDependent(obj("a"), states({})).action).toBe("none");
    expect(decideDependent(obj("a", [{ uid: "o1" }], { deletionTimestamp: "2026-01-01T00:00:00Z" }), states({ o1: "absent" })).action).toBe("none");
  });
});

describe("decideDeletingOwner", () => {
  const deleting = (finalizers: string[]) => obj("owner", [], { uid: "o1", deletionTimestamp: "2026-01-01T00:00:00Z", finalizers });
  test("orphan: release every dependent and drop the finalizer", () => {
    const deps = [obj("a", [{ uid: "o1" }]), obj("b", [{ uid: "o1" }])];
    const plan = decideDeletingOwner(deleting(["orphan", "other"]), deps);
    expect(plan.releaseDependents).toEqual(deps);
    expect(plan.finalizers).toEqual(["other"]);
  });
  test("foreground: delete dependents; keep the finalizer while blocking dependents remain", () => {
    const blocking = obj("a", [{ uid: "o1", block: true }]);
    const plan = decideDeletingOwner(deleting(["foregroundDeletion"]), [blocking]);
    expect(plan.deleteDependents).toEqual([blocking]);
    expect(plan.finalizers).toBeUndefined();
    const gone = decideDeletingOwner(deleting(["foregroundDeletion"]), [obj("b", [{ uid: "o1" }])]);
    expect(gone.finalizers).toEqual([]);
  });
  test("not being deleted: nothing", () => {
    expect(decideDeletingOwner(obj("x", [], { finalizers: ["orphan"] }), [])).toEqual({ deleteDependents: [], releaseDependents: [] });
  });
});
