// The scheduler loop against an in-memory client: informers, assume + bind
// concurrency, failure reports, event-driven retries and bind failures.
import { afterEach, describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { Nodes, Pods } from "../../src/api/registry.ts";
import type { Event, Pod } from "../../src/api/types.ts";
import { startScheduler, type RunningScheduler } from "../../src/scheduler/scheduler.ts";
import { FakeClient } from "./fake-client.ts";
import { node, pod } from "./fixtures.ts";
import { waitFor } from "../support/wait.ts";

const running: RunningScheduler[] = [];
/** A fake client in memory: poll tightly. */
const quick = { timeoutMs: 5000, everyMs: 5 };
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function setup(nodes: ReturnType<typeof node>[], opts: Parameters<typeof startScheduler>[1] = {}) {
  const client = new FakeClient();
  for (const n of nodes) await client.create(Nodes, n);
  const s = startScheduler(client, { queue: { initialBackoffMs: 1000, unschedulableTimeoutMs: 600_000 }, ...opts });
  running.push(s);
  await s.ready;
  return { client, s };
}

const boundPods = (c: FakeClient) => c.all<Pod>("pods").filter((p) => p.spec.nodeName);

describe("scheduler loop", () => {
  test("binds every pod, several binds in flight, never over-committing a node", async () => {
    const { client } = await setup([node("a", { cpu: "2" }), node("b", { cpu: "2" }), node("c", { cpu: "2" })], { maxInFlightBinds: 8 });
    client.bindDelayMs = 5;
    for (let i = 0; i < 60; i++) await client.create(Pods, pod(`p${i}`, { cpu: "100m" }));
    await waitFor("all bound", () => boundPods(client).length === 60, quick);
    expect(client.maxConcurrentBinds).toBeGreaterThan(1);
    expect(client.maxConcurrentBinds).toBeLessThanOrEqual(8);
    const perNode = new Map<string, number>();
    for (const p of boundPods(client)) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    for (const n of perNode.values()) expect(n).toBeLessThanOrEqual(20);
  });

  test("an unschedulable pod gets the condition and event, and is retried when a node is added", async () => {
    const { client } = await setup([node("a", { cpu: "1" }), node("b", { cpu: "1" }), node("c", { cpu: "1" })]);
    await client.create(Pods, pod("big", { cpu: "3" }));
    const message = "0/3 nodes are available: 3 Insufficient cpu.";
    await waitFor("condition", () => {
      const c = client.all<Pod>("pods")[0].status?.conditions?.find((x) => x.type === "PodScheduled");
      return c?.status === "False" && c.reason === "Unschedulable" && c.message === message;
    }, quick);
    await waitFor("event", () => client.all<Event>("events").some((e) => e.reason === "FailedScheduling" && e.message === message && e.involvedObject.name === "big"), quick);
    await client.create(Nodes, node("d", { cpu: "4" }));
    await waitFor("bound after node added", () => boundPods(client).length === 1, { ...quick, timeoutMs: 4000 });
    expect(boundPods(client)[0].spec.nodeName).toBe("d");
    await waitFor("PodScheduled=True once bound", () => client.all<Pod>("pods")[0].status?.conditions?.find((c) => c.type === "PodScheduled")?.status === "True", quick);
  });

  test("a deleted pod frees room for a waiting one", async () => {
    const { client } = await setup([node("a", { cpu: "1" })]);
    await client.create(Pods, pod("first", { cpu: "800m" }));
    await waitFor("first bound", () => boundPods(client).length === 1, quick);
    await client.create(Pods, pod("second", { cpu: "800m" }));
    await waitFor("second unschedulable", () => !!client.all<Pod>("pods").find((p) => p.metadata.name === "second")?.status?.conditions, quick);
    await client.delete(Pods, "default", "first");
    await waitFor("second bound", () => boundPods(client).some((p) => p.metadata.name === "second"), { ...quick, timeoutMs: 4000 });
  });

  test("a failed bind un-assumes and retries; other schedulers' pods are left alone", async () => {
    const { client, s } = await setup([node("a", { cpu: "1" })], { queue: { initialBackoffMs: 20 } });
    let failures = 1;
    client.bindHook = () => (failures-- > 0 ? ApiError.internal("disk on fire") : undefined);
    await client.create(Pods, pod("p", { cpu: "900m" }));
    await client.create(Pods, pod("theirs", { spec: { schedulerName: "other-scheduler" } }));
    await waitFor("bound after retry", () => boundPods(client).length === 1, quick);
    expect(s.stats().bindErrors).toBe(1);
    // The failed attempt's 900m was released: had it stayed assumed, the retry could not fit.
    expect(boundPods(client)[0].metadata.name).toBe("p");
    expect(client.all<Pod>("pods").find((p) => p.metadata.name === "theirs")?.spec.nodeName).toBeUndefined();
  });

  test("pods bound outside the scheduler count against their node", async () => {
    const { client } = await setup([node("a", { cpu: "1" }), node("b", { cpu: "1" })]);
    await client.create(Pods, pod("manual", { cpu: "900m", nodeName: "a" }));
    await client.create(Pods, pod("p", { cpu: "500m" }));
    await waitFor("bound", () => boundPods(client).length === 2, quick);
    expect(boundPods(client).find((p) => p.metadata.name === "p")?.spec.nodeName).toBe("b");
  });
});
