import { describe, expect, test } from "bun:test";
import type { DaemonSet, Deployment, ReplicaSet } from "../../src/api/types.ts";
import { daemonSetHistory, daemonSetRolloutState, deploymentHistory, deploymentRolloutState, historyTable, ownedReplicaSets, templateForDeployment, undoTarget } from "../../src/cli/rollout.ts";
import { newRevision } from "../../src/controllers/daemonset-history.ts";
import { replicasFrom } from "../../src/cli/scale.ts";
import { deployment, replicaSet, template } from "../controllers/fixtures.ts";

function withStatus(d: Deployment, s: Deployment["status"], observed = d.metadata.generation): Deployment {
  return { ...d, status: { observedGeneration: observed, ...s } };
}

describe("rollout status messages (as kubectl prints them)", () => {
  const d = deployment({ replicas: 3 });
  test("each stage of a rollout", () => {
    expect(deploymentRolloutState(withStatus(d, {}, 1)).message).toBe("Waiting for deployment spec update to be observed...");
    expect(deploymentRolloutState(withStatus(d, { updatedReplicas: 1, replicas: 3 })).message).toBe('Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...');
    expect(deploymentRolloutState(withStatus(d, { updatedReplicas: 3, replicas: 4 })).message).toBe('Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...');
    expect(deploymentRolloutState(withStatus(d, { updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message).toBe('Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...');
    expect(deploymentRolloutState(withStatus(d, { updatedReplicas: 3, replicas: 3, availableReplicas: 3 }))).toEqual({ done: true, message: 'deployment "web" successfully rolled out' });
  });
  test("a progress deadline exceeded is a failure", () => {
    const s = deploymentRolloutState(withStatus(d, { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] }));
    expect(s.failed).toBe(true);
    expect(s.message).toBe('deployment "web" exceeded its progress deadline');
  });
  test("daemon sets", () => {
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", generation: 1 }, spec: { selector: {}, template: template() } } as DaemonSet;
    expect(daemonSetRolloutState({ ...ds, status: { observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, updatedNumberScheduled: 1, numberAvailable: 3 } }).message).toBe(
      'Waiting for daemon set "agent" rollout to finish: 1 out of 3 new pods have been updated...',
    );
    expect(daemonSetRolloutState({ ...ds, status: { observedGeneration: 1, desiredNumberScheduled: 3, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3 } }).done).toBe(true);
  });
});

describe("history and undo", () => {
  const d = deployment({ replicas: 2, template: template("nginx:3") });
  const r1 = replicaSet("web-1", { replicas: 0, revision: 1, owner: d, template: template("nginx:1") });
  const r2 = replicaSet("web-2", { replicas: 0, revision: 2, owner: d, template: template("nginx:2") });
  const r3t = template("nginx:3");
  r3t.metadata!.labels!["pod-template-hash"] = "abc";
  const r3 = replicaSet("web-3", { replicas: 2, revision: 3, owner: d, template: r3t });
  r2.metadata.annotations!["kubernetes.io/change-cause"] = "bump to 2";
  const foreign: ReplicaSet = replicaSet("other", { replicas: 1, revision: 9 });
  test("only owned ReplicaSets, by revision; table like kubectl", () => {
    expect(ownedReplicaSets(d, [r3, foreign, r1, r2]).map((r) => r.metadata.name)).toEqual(["web-1", "web-2", "web-3"]);
    const history = deploymentHistory(d, [r3, foreign, r1, r2]);
    expect(history.map((e) => e.revision)).toEqual([1, 2, 3]);
    expect(historyTable(history)).toBe("REVISION  CHANGE-CAUSE\n1         <none>\n2         bump to 2\n3         <none>");
    // Templates come back without the hash label, as the Deployment holds them.
    expect(history[2].template.metadata?.labels).toEqual({ app: "web" });
  });
  test("undo goes to the previous revision, or the one asked for", () => {
    const history = deploymentHistory(d, [r1, r2, r3]);
    expect(undoTarget(d.spec.template, history, 0, "deployment").revision).toBe(2);
    expect(undoTarget(d.spec.template, history, 1, "deployment").revision).toBe(1);
    expect(() => undoTarget(d.spec.template, history, 7, "deployment")).toThrow(/unable to find specified revision 7/);
    expect(() => undoTarget(d.spec.template, deploymentHistory(d, [r3]), 0, 'deployment "web"')).toThrow(/no rollout history found for deployment "web"/);
    expect(templateForDeployment(r3).metadata?.labels).toEqual({ app: "web" });
  });
  test("a DaemonSet's history comes from its ControllerRevisions", () => {
    const ds = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", uid: "ds-uid" }, spec: { selector: {}, template: template("agent:2") } } as DaemonSet;
    const crs = [newRevision(ds, "h2", 2), newRevision({ ...ds, spec: { ...ds.spec, template: template("agent:1") } }, "h1", 1)];
    const history = daemonSetHistory(ds, crs);
    expect(history.map((e) => e.revision)).toEqual([1, 2]);
    expect(undoTarget(ds.spec.template, history, 0, "daemonset").template.spec.containers[0].image).toBe("agent:1");
  });
});

describe("scale flags", () => {
  test("--replicas must be a non-negative integer", () => {
    expect(replicasFrom({ replicas: 3 })).toBe(3);
    expect(replicasFrom({ replicas: 0 })).toBe(0);
    expect(() => replicasFrom({})).toThrow(/--replicas=COUNT is required/);
    expect(() => replicasFrom({ replicas: -1 })).toThrow(/non-negative/);
    expect(() => replicasFrom({ replicas: 1.5 })).toThrow(/non-negative/);
  });
});
