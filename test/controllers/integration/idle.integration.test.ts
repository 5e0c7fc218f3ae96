// A settled cluster must be quiet: once workloads have converged, controllers
// write nothing (edge hosts run on flash; needless writes wear it out).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { podIsReady } from "../../../src/api/meta.ts";
import { DaemonSets, Deployments, Jobs, Pods, registry, Services } from "../../../src/api/registry.ts";
import type { Pod, WatchEvent } from "../../../src/api/types.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

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
  // The last status writes may still be landing: the quiet window starts once the streams have been silent for 500 ms.
  let last = { count: -1, at: 0 };
  await waitFor("the last status writes", () => {
    if (writes.length !== last.count) last = { count: writes.length, at: Date.now() };
    return Date.now() - last.at >= 500;
  }, { everyMs: 50 });
  writes.length = 0;
  // Negative assertion: nothing may be written for 2.5 s (several resync and backoff periods of the test-sized controllers).
  await Bun.sleep(2500);
  for (const s of streams) s.close();
  if (writes.length) console.log(writes.join("\n"));
  expect(writes).toEqual([]);
}, 30_000);
