import { describe, expect, test } from "bun:test";
import type { Pod, PodPhase } from "../../src/api/types.ts";
import { planDrain } from "../../src/cli/drain.ts";

function pod(name: string, owner?: string, extra: Partial<Pod["spec"]> = {}, phase: PodPhase = "Running"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: name, ownerReferences: owner ? [{ apiVersion: "apps/v1", kind: owner, name: "o", uid: "o", controller: true }] : undefined },
    spec: { containers: [{ name: "c" }], nodeName: "n1", ...extra },
    status: { phase },
  };
}

const none = { force: false, ignoreDaemonSets: false, deleteEmptyDirData: false };
const names = (ps: Pod[]) => ps.map((p) => p.metadata.name);

describe("planDrain", () => {
  test("managed pods are evicted", () => {
    const plan = planDrain([pod("a", "ReplicaSet"), pod("b", "Job")], none);
    expect(names(plan.evict)).toEqual(["a", "b"]);
    expect(plan.problems).toEqual([]);
  });

  test("bare pods, DaemonSet pods and emptyDir data block the drain unless allowed", () => {
    const pods = [pod("bare"), pod("ds", "DaemonSet"), pod("scratch", "ReplicaSet", { volumes: [{ name: "v", emptyDir: {} }] })];
    const blocked = planDrain(pods, none);
    expect(blocked.problems).toEqual([
      "cannot delete Pods that declare no controller (use --force to override): default/bare",
      "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/ds",
      "cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch",
    ]);
    const allowed = planDrain(pods, { force: true, ignoreDaemonSets: true, deleteEmptyDirData: true });
    expect(allowed.problems).toEqual([]);
    expect(names(allowed.evict)).toEqual(["bare", "scratch"]);
    expect(names(allowed.ignored)).toEqual(["ds"]);
  });

  test("finished pods never block", () => {
    const plan = planDrain([pod("done", undefined, {}, "Succeeded"), pod("dsdone", "DaemonSet", {}, "Failed")], none);
    expect(plan.problems).toEqual([]);
    expect(names(plan.evict)).toEqual(["done", "dsdone"]);
  });
});
