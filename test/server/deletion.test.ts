import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../src/api/types.ts";
import { checkPreconditions, deleteOptions, planDelete } from "../../src/server/deletion.ts";

const now = Date.parse("2026-01-01T00:00:00Z");
const cm = (extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", uid: "u1", resourceVersion: "5", ...extra } });
const pod = (nodeName?: string, phase?: string, meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", ...meta },
  spec: { containers: [], ...(nodeName ? { nodeName } : {}), terminationGracePeriodSeconds: 20 },
  status: phase ? { phase } : {},
});

describe("planDelete", () => {
  test("plain objects are removed at once", () => {
    expect(planDelete(cm(), {}, now)).toEqual({ action: "remove" });
  });

  test("finalizers keep the object, marked", () => {
    const plan = planDelete(cm({ finalizers: ["x/y"] }), {}, now);
    expect(plan.action).toBe("mark");
    if (plan.action !== "mark") return;
    expect(plan.obj.metadata.deletionTimestamp).toBe("2026-01-01T00:00:00Z");
    expect(plan.obj.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(planDelete(plan.obj, {}, now + 5000)).toEqual({ action: "unchanged" });
  });

  test("propagation policies add the garbage collector's finalizers", () => {
    const fg = planDelete(cm(), { propagationPolicy: "Foreground" }, now);
    expect(fg.action === "mark" && fg.obj.metadata.finalizers).toEqual(["foregroundDeletion"]);
    const orphan = planDelete(cm(), { propagationPolicy: "Orphan" }, now);
    expect(orphan.action === "mark" && orphan.obj.metadata.finalizers).toEqual(["orphan"]);
    expect(planDelete(cm(), { propagationPolicy: "Background" }, now)).toEqual({ action: "remove" });
  });

  test("bound pods terminate gracefully; unbound and finished pods go at once", () => {
    const plan = planDelete(pod("n1"), {}, now);
    expect(plan.action).toBe("mark");
    if (plan.action !== "mark") return;
    expect(plan.obj.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(plan.obj.metadata.deletionTimestamp).toBe("2026-01-01T00:00:20Z");
    expect(planDelete(plan.obj, {}, now)).toEqual({ action: "unchanged" });
    expect(planDelete(plan.obj, { gracePeriodSeconds: 0 }, now)).toEqual({ action: "remove" });
    const shorter = planDelete(plan.obj, { gracePeriodSeconds: 5 }, now);
    expect(shorter.action === "mark" && shorter.obj.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(planDelete(pod(), {}, now)).toEqual({ action: "remove" });
    expect(planDelete(pod("n1", "Succeeded"), {}, now)).toEqual({ action: "remove" });
    expect(planDelete(pod("n1"), { gracePeriodSeconds: 0 }, now)).toEqual({ action: "remove" });
  });

  test("namespaces become Terminating until their finalizer goes", () => {
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a" }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
    const plan = planDelete(ns, {}, now);
    expect(plan.action).toBe("mark");
    if (plan.action !== "mark") return;
    expect((plan.obj.status as { phase: string }).phase).toBe("Terminating");
    expect(planDelete({ ...ns, spec: { finalizers: [] } }, {}, now)).toEqual({ action: "remove" });
  });

  test("preconditions", () => {
    expect(() => checkPreconditions(cm(), "configmaps", { preconditions: { uid: "other" } })).toThrow(/Precondition failed: UID/);
    expect(() => checkPreconditions(cm(), "configmaps", { preconditions: { resourceVersion: "4" } })).toThrow(/ResourceVersion/);
    checkPreconditions(cm(), "configmaps", { preconditions: { uid: "u1", resourceVersion: "5" } });
  });

  test("delete options from query and body", () => {
    expect(deleteOptions({ gracePeriodSeconds: 3 }, new URLSearchParams("propagationPolicy=Foreground"))).toEqual({ gracePeriodSeconds: 3, propagationPolicy: "Foreground" });
    expect(() => deleteOptions(undefined, new URLSearchParams("gracePeriodSeconds=-1"))).toThrow();
    expect(() => deleteOptions({ propagationPolicy: "Sideways" }, new URLSearchParams())).toThrow();
  });
});
