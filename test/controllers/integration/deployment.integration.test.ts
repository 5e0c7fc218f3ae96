// Deployments end to end: a real API server, the scheduler, the controllers and
// hollow nodes with a fake kubelet.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isBeingDeleted, podIsReady } from "../../../src/api/meta.ts";
import { Deployments, Pods, ReplicaSets } from "../../../src/api/registry.ts";
import type { Deployment, Pod, ReplicaSet } from "../../../src/api/types.ts";
import { undoDeployment } from "../../../src/cli/rollout.ts";
import { scaleOne } from "../../../src/cli/scale.ts";
import { Informer } from "../../../src/client/informer.ts";
import { revisionAnnotation } from "../../../src/controllers/deployment.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: ["n1", "n2", "n3"], kubelet: { readyAfterMs: 50 } });
});
afterAll(async () => {
  await c?.stop();
});

function deploymentManifest(name: string, replicas: number, image: string, strategy: Deployment["spec"]["strategy"]): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image }] } },
      strategy,
    },
  };
}

async function podsOf(app: string): Promise<Pod[]> {
  return (await c.client.list<Pod>(Pods, "default", { labelSelector: `app=${app}` })).items;
}

const live = (pods: Pod[]) => pods.filter((p) => !isBeingDeleted(p));
const imagesOf = (pods: Pod[]) => [...new Set(live(pods).map((p) => p.spec.containers[0].image))].sort();

async function rolledOut(name: string, replicas: number): Promise<Deployment | undefined> {
  const d = await c.client.get<Deployment>(Deployments, "default", name);
  const s = d.status;
  const done = s && s.observedGeneration === d.metadata.generation && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
  return done ? d : undefined;
}

describe("Deployment", () => {
  test("scales up and down", async () => {
    await c.client.create(Deployments, deploymentManifest("scaler", 3, "img:1", undefined));
    await waitFor("3 ready pods", async () => (await rolledOut("scaler", 3)) && live(await podsOf("scaler")).filter(podIsReady).length === 3);
    await scaleOne(c.client, Deployments, "default", "scaler", 5);
    await waitFor("5 ready pods", async () => (await rolledOut("scaler", 5)) && live(await podsOf("scaler")).filter(podIsReady).length === 5);
    await scaleOne(c.client, Deployments, "default", "scaler", 2);
    await waitFor("2 pods", async () => (await rolledOut("scaler", 2)) && (await podsOf("scaler")).length === 2);
    // Pods were spread by the scheduler onto the hollow nodes and bound there.
    expect((await podsOf("scaler")).every((p) => ["n1", "n2", "n3"].includes(p.spec.nodeName ?? ""))).toBe(true);
    await expect(scaleOne(c.client, Deployments, "default", "scaler", 3, 7)).rejects.toThrow(/Expected replicas to be 7, was 2/);
  }, 30_000);

  test("a rolling update never drops below replicas - maxUnavailable ready pods; undo rolls back", async () => {
    const replicas = 4;
    await c.client.create(Deployments, deploymentManifest("roller", replicas, "img:1", { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }));
    await waitFor("initial rollout", () => rolledOut("roller", replicas));

    // Watch every pod change and keep the lowest count of ready, not-terminating pods.
    const pods = new Informer<Pod>(c.client, Pods, { namespace: "default", labelSelector: "app=roller" });
    let lowest = Infinity;
    const count = () => {
      const ready = pods.list().filter((p) => podIsReady(p) && !isBeingDeleted(p)).length;
      lowest = Math.min(lowest, ready);
    };
    pods.on({ add: count, update: count, delete: count });
    await pods.start();
    lowest = Infinity; // the initial list arrives one add at a time
    count();
    expect(lowest).toBe(replicas);

    await c.client.patch(Deployments, "default", "roller", { spec: { template: { spec: { containers: [{ name: "c", image: "img:2" }] } } } }, "strategic");
    await waitFor("rollout to img:2", async () => (await rolledOut("roller", replicas)) && imagesOf(await podsOf("roller")).join() === "img:2" && (await podsOf("roller")).length === replicas, { timeoutMs: 20_000 });
    expect(lowest).toBeGreaterThanOrEqual(replicas - 1);

    const d = await c.client.get<Deployment>(Deployments, "default", "roller");
    expect(d.metadata.annotations?.[revisionAnnotation]).toBe("2");
    const rss = (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((rs) => rs.metadata.name?.startsWith("roller-"));
    expect(rss.length).toBe(2);
    expect(rss.every((rs) => rs.metadata.labels?.["pod-template-hash"] && rs.metadata.name === `roller-${rs.metadata.labels["pod-template-hash"]}`)).toBe(true);

    lowest = Infinity;
    count();
    expect(await undoDeployment(c.client, "default", "roller", 0)).toBe("deployment.apps/roller rolled back");
    await waitFor("rollback to img:1", async () => (await rolledOut("roller", replicas)) && imagesOf(await podsOf("roller")).join() === "img:1" && (await podsOf("roller")).length === replicas, { timeoutMs: 20_000 });
    expect(lowest).toBeGreaterThanOrEqual(replicas - 1);
    const back = await c.client.get<Deployment>(Deployments, "default", "roller");
    expect(back.metadata.annotations?.[revisionAnnotation]).toBe("3");
    // Rolling back reused the first ReplicaSet rather than making a third.
    const after = (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((rs) => rs.metadata.name?.startsWith("roller-"));
    expect(after.length).toBe(2);
    pods.stop();
  }, 60_000);

  test("Recreate never runs old and new pods at the same time", async () => {
    await c.client.create(Deployments, deploymentManifest("recreate", 3, "img:1", { type: "Recreate" }));
    await waitFor("initial rollout", () => rolledOut("recreate", 3));
    const pods = new Informer<Pod>(c.client, Pods, { namespace: "default", labelSelector: "app=recreate" });
    let mixed = false;
    const check = () => {
      const images = new Set(pods.list().map((p) => p.spec.containers[0].image));
      if (images.size > 1) mixed = true;
    };
    pods.on({ add: check, update: check, delete: check });
    await pods.start();
    await c.client.patch(Deployments, "default", "recreate", { spec: { template: { spec: { containers: [{ name: "c", image: "img:2" }] } } } }, "strategic");
    await waitFor("recreated on img:2", async () => (await rolledOut("recreate", 3)) && imagesOf(await podsOf("recreate")).join() === "img:2" && (await podsOf("recreate")).length === 3, { timeoutMs: 20_000 });
    pods.stop();
    expect(mixed).toBe(false);
  }, 30_000);

  test("revisionHistoryLimit prunes old ReplicaSets", async () => {
    const d = deploymentManifest("history", 1, "img:1", undefined);
    d.spec.revisionHistoryLimit = 1;
    await c.client.create(Deployments, d);
    for (const image of ["img:2", "img:3", "img:4"]) {
      await waitFor("rolled out", () => rolledOut("history", 1));
      await c.client.patch(Deployments, "default", "history", { spec: { template: { spec: { containers: [{ name: "c", image }] } } } }, "strategic");
    }
    await waitFor("img:4 rolled out", async () => (await rolledOut("history", 1)) && imagesOf(await podsOf("history")).join() === "img:4");
    await waitFor("one old ReplicaSet kept", async () => (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((rs) => rs.metadata.name?.startsWith("history-")).length === 2);
    const revisions = (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items
      .filter((rs) => rs.metadata.name?.startsWith("history-"))
      .map((rs) => rs.metadata.annotations?.[revisionAnnotation])
      .sort();
    expect(revisions).toEqual(["3", "4"]);
  }, 30_000);

  test("scaling in the middle of a stalled rollout keeps the proportions of old and new", async () => {
    c.kubelet.behaviour = (p) => (p.metadata.labels?.health === "never-ready" ? { phase: "Running", ready: false } : { phase: "Running", ready: true });
    await c.client.create(Deployments, deploymentManifest("prop", 4, "img:1", { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }));
    await waitFor("initial rollout", () => rolledOut("prop", 4));
    // The new template never becomes ready: the rollout stalls with old 4, new 1.
    await c.client.patch(Deployments, "default", "prop", { spec: { template: { metadata: { labels: { app: "prop", health: "never-ready" } } } } }, "strategic");
    const sizes = async () => {
      const rss = (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((rs) => rs.metadata.name?.startsWith("prop-"));
      return rss.map((rs) => `${rs.spec.template.metadata?.labels?.health ?? "old"}=${rs.spec.replicas}`).sort().join(",");
    };
    await waitFor("stalled at old 4, new 1", async () => (await sizes()) === "never-ready=1,old=4");
    await c.client.patch(Deployments, "default", "prop", { spec: { replicas: 8 } }, "merge");
    // 8 + surge 1 = 9, each ReplicaSet by 9/5 of its size: old 4 → 7, new 1 → 2.
    await waitFor("scaled proportionally", async () => (await sizes()) === "never-ready=2,old=7");
    await waitFor("9 pods", async () => live(await podsOf("prop")).length === 9);
    c.kubelet.behaviour = () => ({ phase: "Running", ready: true });
  }, 30_000);
});
