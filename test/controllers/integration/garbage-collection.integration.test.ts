// Cascading deletion in the three propagation modes, and namespace deletion.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isApiError } from "../../../src/api/errors.ts";
import { podIsReady } from "../../../src/api/meta.ts";
import { ConfigMaps, Deployments, Namespaces, Pods, ReplicaSets } from "../../../src/api/registry.ts";
import type { Deployment, KubeObject, Pod, ReplicaSet } from "../../../src/api/types.ts";
import type { ResourceRef } from "../../../src/client/client.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: ["g1", "g2"] });
});
afterAll(async () => {
  await c?.stop();
});

function deploymentManifest(name: string, namespace = "default"): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "x" }], terminationGracePeriodSeconds: 1 } },
    },
  };
}

async function exists(rt: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    return await c.client.get(rt, namespace, name);
  } catch (err) {
    if (isApiError(err, "NotFound")) return undefined;
    throw err;
  }
}

async function running(name: string, namespace = "default"): Promise<{ rs: ReplicaSet; pods: Pod[] }> {
  await c.client.create(Deployments, deploymentManifest(name, namespace));
  return waitFor(`${name} running`, async () => {
    const rss = (await c.client.list<ReplicaSet>(ReplicaSets, namespace)).items.filter((r) => r.metadata.name?.startsWith(`${name}-`));
    const pods = (await c.client.list<Pod>(Pods, namespace, { labelSelector: `app=${name}` })).items;
    return rss.length === 1 && pods.filter(podIsReady).length === 2 ? { rs: rss[0], pods } : undefined;
  });
}

const podsOf = async (app: string, namespace = "default") => (await c.client.list<Pod>(Pods, namespace, { labelSelector: `app=${app}` })).items;

describe("cascading deletion", () => {
  test("Background: the owner goes at once, then its ReplicaSet and pods", async () => {
    const { rs } = await running("bg");
    await c.client.delete(Deployments, "default", "bg", { propagationPolicy: "Background" });
    expect(await exists(Deployments, "default", "bg")).toBeUndefined();
    await waitFor("ReplicaSet and pods collected", async () => !(await exists(ReplicaSets, "default", rs.metadata.name!)) && (await podsOf("bg")).length === 0);
  }, 20_000);

  test("Foreground: dependents go first, the owner last", async () => {
    await running("fg");
    await c.client.delete(Deployments, "default", "fg", { propagationPolicy: "Foreground" });
    const marked = await exists(Deployments, "default", "fg");
    expect(marked?.metadata.deletionTimestamp).toBeDefined();
    expect(marked?.metadata.finalizers).toContain("foregroundDeletion");
    // Whenever the Deployment is seen gone, no pod of it may be left.
    await waitFor("the Deployment gone", async () => {
      const pods = await podsOf("fg");
      const owner = await exists(Deployments, "default", "fg");
      if (!owner) {
        expect(pods.length).toBe(0);
        return true;
      }
      return false;
    }, { timeoutMs: 20_000 });
    expect((await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((r) => r.metadata.name?.startsWith("fg-")).length).toBe(0);
  }, 30_000);

  test("Orphan: the owner goes, its ReplicaSet stays without the owner reference and keeps its pods", async () => {
    const { rs, pods } = await running("orph");
    await c.client.delete(Deployments, "default", "orph", { propagationPolicy: "Orphan" });
    await waitFor("the Deployment gone", async () => !(await exists(Deployments, "default", "orph")));
    const left = await waitFor("ReplicaSet released", async () => {
      const r = (await exists(ReplicaSets, "default", rs.metadata.name!)) as ReplicaSet | undefined;
      return r && !(r.metadata.ownerReferences ?? []).length ? r : undefined;
    });
    expect(left.metadata.uid).toBe(rs.metadata.uid);
    const now = await podsOf("orph");
    expect(now.map((p) => p.metadata.uid).sort()).toEqual(pods.map((p) => p.metadata.uid).sort());
  }, 20_000);
});

describe("namespace deletion", () => {
  test("deletes everything in the namespace, then the namespace", async () => {
    await c.client.create(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    await running("inner", "doomed");
    await c.client.create(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "doomed" }, data: { a: "b" } });
    await c.client.delete(Namespaces, undefined, "doomed");
    const terminating = (await exists(Namespaces, undefined, "doomed")) as { status?: { phase?: string } } | undefined;
    expect(terminating?.status?.phase).toBe("Terminating");
    await waitFor("namespace gone", async () => !(await exists(Namespaces, undefined, "doomed")), { timeoutMs: 20_000 });
    expect((await c.client.list(Pods, "doomed")).items.length).toBe(0);
    expect((await c.client.list(ConfigMaps, "doomed")).items.length).toBe(0);
  }, 30_000);
});
