import { describe, expect, test } from "bun:test";
import type { DaemonSet } from "../../src/api/types.ts";
import { newRevision, reconcileRevisions, revisionTemplate } from "../../src/controllers/daemonset-history.ts";
import { template } from "./fixtures.ts";

const ds = (limit?: number): DaemonSet => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "agent", namespace: "default", uid: "ds-uid", annotations: { "kubernetes.io/change-cause": "v2" } },
  spec: { selector: { matchLabels: { app: "web" } }, template: template("agent:2"), revisionHistoryLimit: limit },
});

describe("DaemonSet revisions", () => {
  test("the first template gets revision 1, a new one the next number", () => {
    expect(reconcileRevisions(ds(), [], "h1", new Set()).create?.revision).toBe(1);
    const plan = reconcileRevisions(ds(), [newRevision(ds(), "h1", 1)], "h2", new Set(["h1"]));
    expect(plan.create).toMatchObject({ revision: 2, metadata: { name: "agent-h2", labels: { "controller-revision-hash": "h2" }, annotations: { "kubernetes.io/change-cause": "v2" } } });
    expect(revisionTemplate(plan.create!)?.spec.containers[0].image).toBe("agent:2");
    expect(plan.create?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "DaemonSet", uid: "ds-uid", controller: true });
  });
  test("going back to an old template renumbers it as the newest; a settled one changes nothing", () => {
    const old = newRevision(ds(), "h1", 1);
    const plan = reconcileRevisions(ds(), [old, newRevision(ds(), "h2", 2)], "h1", new Set());
    expect(plan.renumber).toEqual({ cr: old, revision: 3 });
    expect(reconcileRevisions(ds(), [newRevision(ds(), "h1", 1), newRevision(ds(), "h2", 2)], "h2", new Set())).toEqual({ delete: [] });
  });
  test("history beyond the limit goes, oldest first, but not while pods run it", () => {
    const revs = [1, 2, 3].map((n) => newRevision(ds(1), `h${n}`, n));
    const plan = reconcileRevisions(ds(1), [...revs, newRevision(ds(1), "h4", 4)], "h4", new Set(["h1"]));
    expect(plan.delete.map((cr) => cr.metadata.name)).toEqual(["agent-h2", "agent-h3"]);
  });
});
