// A node whose lease stops: Ready=Unknown and the unreachable taint after the
// grace period, its pods evicted after their toleration and replaced on healthy
// nodes; a Job keeps within parallelism throughout.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getCondition, isBeingDeleted, podIsReady } from "../../../src/api/meta.ts";
import { Deployments, Events, Jobs, Nodes, Pods } from "../../../src/api/registry.ts";
import type { Deployment, Event, Job, Node, Pod } from "../../../src/api/types.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

const graceMs = 1500;
const tolerationSeconds = 1;

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: ["a", "b", "c"], controllers: { nodeMonitorGracePeriodMs: graceMs, defaultUnreachableTolerationSeconds: tolerationSeconds } });
});
afterAll(async () => {
  await c?.stop();
});

describe("node lifecycle", () => {
  test("pods on a silent node are replaced elsewhere within grace + toleration", async () => {
    const d: Deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "spread", namespace: "default" },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: "spread" } },
        template: { metadata: { labels: { app: "spread" } }, spec: { containers: [{ name: "c", image: "x" }], terminationGracePeriodSeconds: 1 } },
      },
    };
    await c.client.create(Deployments, d);
    const pods = async () => (await c.client.list<Pod>(Pods, "default", { labelSelector: "app=spread" })).items;
    await waitFor("6 ready pods", async () => (await pods()).filter((p) => podIsReady(p) && !isBeingDeleted(p)).length === 6);
    const victim = (await pods()).map((p) => p.spec.nodeName).find((n) => n === "a") ? "a" : ((await pods())[0].spec.nodeName as string);
    const onVictim = (await pods()).filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    expect(onVictim.length).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    c.kubelet.stopNode(victim);
    const node = await waitFor("node Ready=Unknown with the unreachable taint", async () => {
      const n = await c.client.get<Node>(Nodes, undefined, victim);
      const ready = getCondition(n.status?.conditions, "Ready");
      return ready?.status === "Unknown" && n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute") ? n : undefined;
    }, { timeoutMs: 10_000 });
    expect(getCondition(node.status?.conditions, "Ready")?.reason).toBe("NodeStatusUnknown");
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(graceMs - 300);

    const replaced = await waitFor("6 ready pods, none on the silent node", async () => {
      const all = await pods();
      const healthy = all.filter((p) => podIsReady(p) && !isBeingDeleted(p) && p.spec.nodeName !== victim);
      return healthy.length === 6 && !all.some((p) => onVictim.includes(p.metadata.name)) ? all : undefined;
    }, { timeoutMs: 15_000 });
    const took = Date.now() - stoppedAt;
    // grace + toleration, plus slack for lease timing and the reconcile loops.
    expect(took).toBeLessThan(graceMs + tolerationSeconds * 1000 + 4000);
    expect(replaced.every((p) => p.spec.nodeName !== victim)).toBe(true);

    const events = (await c.client.list<Event>(Events, "default")).items;
    expect(events.some((e) => e.reason === "TaintManagerEviction")).toBe(true);

    // The node comes back: Ready again, taint removed, nothing of the old pods returns.
    await c.kubelet.resumeNode(victim);
    await waitFor("taint removed", async () => {
      const n = await c.client.get<Node>(Nodes, undefined, victim);
      return !n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/unreachable");
    });
    expect((await pods()).length).toBe(6);
  }, 40_000);

  test("a Job never runs more than parallelism pods across a node failure", async () => {
    c.kubelet.behaviour = () => ({ phase: "Running", ready: true });
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "steady", namespace: "default" },
      spec: { completions: 10, parallelism: 2, template: { metadata: { labels: { app: "steady" } }, spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never", terminationGracePeriodSeconds: 1 } } },
    };
    await c.client.create(Jobs, job);
    const pods = async () => (await c.client.list<Pod>(Pods, "default", { labelSelector: "app=steady" })).items;
    let most = 0;
    const sample = async () => {
      const running = (await pods()).filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
      most = Math.max(most, running.length);
      return running;
    };
    const first = await waitFor("2 running job pods", async () => ((await sample()).filter(podIsReady).length === 2 ? await sample() : undefined));
    const victim = first[0].spec.nodeName!;
    c.kubelet.stopNode(victim);
    await waitFor("a replacement on a healthy node", async () => {
      const running = await sample();
      return running.filter((p) => p.spec.nodeName !== victim && podIsReady(p)).length === 2;
    }, { timeoutMs: 15_000 });
    expect(most).toBeLessThanOrEqual(2);
    await c.kubelet.resumeNode(victim);
  }, 30_000);

  test("a node reporting Ready=False gets the not-ready taint; its pods are evicted after their toleration", async () => {
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pinned", namespace: "default" },
      spec: {
        nodeName: "c",
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "c", image: "x" }],
        tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 2 }],
      },
    };
    await c.client.create(Pods, pod);
    await waitFor("pinned running", async () => podIsReady(await c.client.get<Pod>(Pods, "default", "pinned")));
    const n = await c.client.get<Node>(Nodes, undefined, "c");
    const conditions = (n.status?.conditions ?? []).map((x) => (x.type === "Ready" ? { ...x, status: "False" as const, reason: "KubeletNotReady", lastHeartbeatTime: new Date().toISOString() } : x));
    const at = Date.now();
    await c.client.patch(Nodes, undefined, "c", { status: { conditions } }, "merge", "status");
    await waitFor("not-ready taint", async () => (await c.client.get<Node>(Nodes, undefined, "c")).spec?.taints?.some((t) => t.key === "node.kubernetes.io/not-ready" && t.effect === "NoExecute"));
    // Its pods stop counting as ready at once, before any eviction.
    await waitFor("pinned marked not ready", async () => {
      const p = await c.client.get<Pod>(Pods, "default", "pinned");
      return getCondition(p.status?.conditions, "Ready")?.reason === "NodeNotReady" && !isBeingDeleted(p);
    });
    expect(Date.now() - at).toBeLessThan(1900);
    const evicted = await waitFor("pinned evicted", async () => {
      const p = await c.client.get<Pod>(Pods, "default", "pinned").catch(() => undefined);
      return !p || isBeingDeleted(p) ? Date.now() : undefined;
    });
    // Its own tolerationSeconds (2), not the default (1).
    expect(evicted - at).toBeGreaterThanOrEqual(1900);
    await c.kubelet.resumeNode("c");
    await waitFor("taint removed", async () => !(await c.client.get<Node>(Nodes, undefined, "c")).spec?.taints?.length);
  }, 20_000);
});
