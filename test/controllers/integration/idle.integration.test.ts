// A settled cluster must be quiet: once workloads have converged, controllers
// write nothing (edge hosts run on flash; needless writes wear it out).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { podIsReady } from "../../../src/api/meta.ts";
import { DaemonSets, Deployments, Jobs, Pods, registry, Services } from "../../../src/api/registry.ts";
import type { Pod, WatchEvent } from "../../../src/api/types.ts";
import { startTestCluster, type TestCluster, waitFor } from "../../support/cluster.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({ nodes: ["q1", "q2"] });
});
afterAll(async () => {
  await c?.stop();
});

test("no writes once everything has converged", async () => {
  const template = { metadata: { labels: { app: "quiet" } }, spec: { containers: [{ name: "c", image: "x", ports: [{ name: "http", containerPort: 80 }] }] } };
  await c.client.create(Deployments, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "quiet", namespace: "default" }, spec: { replicas: 3, selector: { matchLabels: { app: "quiet" } }, template } });
  await c.client.create(DaemonSets, { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "quiet-ds", namespace: "default" }, spec: { selector: { matchLabels: { app: "quiet-ds" } }, template: { ...template, metadata: { labels: { app: "quiet-ds" } } } } });
  await c.client.create(Services, { apiVersion: "v1", kind: "Service", metadata: { name: "quiet", namespace: "default" }, spec: { selector: { app: "quiet" }, ports: [{ port: 80, targetPort: "http" }] } });
  await c.client.create(Jobs, { apiVersion: "batch/v1", kind: "Job", metadata: { name: "quiet-job", namespace: "default" }, spec: { template: { spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } } });
  await waitFor("converged", async () => {
    const pods = (await c.client.list<Pod>(Pods, "default")).items;
    return pods.filter((p) => p.metadata.labels?.app === "quiet" && podIsReady(p)).length === 3 && pods.filter((p) => p.metadata.labels?.app === "quiet-ds" && podIsReady(p)).length === 2;
  });
  // Give the last status writes a moment to land, then listen.
  const settle = Date.now() + 1000;
  await waitFor("settling", () => Date.now() > settle, 3000, 50);

  const writes: string[] = [];
  const kinds = registry.filter((rt) => rt.kind !== "Lease" && rt.kind !== "Event");
  const from = await Promise.all(kinds.map(async (rt) => (await c.client.list(rt, undefined)).metadata.resourceVersion));
  const streams = kinds.map((rt, i) => {
    const s = c.client.watch(rt, undefined, { resourceVersion: from[i] });
    void (async () => {
      try {
        for await (const ev of s as AsyncIterable<WatchEvent>) if (ev.type !== "BOOKMARK") writes.push(`${ev.type} ${rt.kind} ${ev.object.metadata.namespace ?? ""}/${ev.object.metadata.name}`);
      } catch {
        // closed
      }
    })();
    return s;
  });
  const until = Date.now() + 2500;
  await waitFor("a quiet while", () => Date.now() > until, 5000, 100);
  for (const s of streams) s.close();
  if (writes.length) console.log(writes.join("\n"));
  expect(writes).toEqual([]);
}, 30_000);
