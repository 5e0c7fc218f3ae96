// The scheduler inside a real skiff server (in-process, loopback, port 0,
// temp data dir) with hollow nodes: Node objects with capacity, no agent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Events, Nodes, Pods } from "../../src/api/registry.ts";
import type { Event, Node, Pod } from "../../src/api/types.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { node, pod } from "./fixtures.ts";
import { waitFor } from "../support/wait.ts";

let server: RunningServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "skiff-sched-it-"));
  server = await startServer({ dataDir, bindAddress: "127.0.0.1", port: 0, disableAgent: true, controllers: [] });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function addNode(n: Node): Promise<void> {
  const created = await server.client.create<Node>(Nodes, n);
  if (!created.status?.allocatable) await server.client.updateStatus<Node>(Nodes, { ...created, status: n.status });
}

const apiPod = (p: Pod): Pod => {
  delete p.metadata.uid;
  return p;
};

describe("scheduler in a real server", () => {
  test("pods get bound to nodes with room", async () => {
    await addNode(node("hollow-a", { cpu: "2", memory: "4Gi" }));
    await addNode(node("hollow-b", { cpu: "2", memory: "4Gi" }));
    for (let i = 0; i < 6; i++) await server.client.create(Pods, apiPod(pod(`web-${i}`, { cpu: "500m", memory: "256Mi" })));
    const bound = await waitFor("6 pods bound", async () => {
      const list = await server.client.list<Pod>(Pods, "default");
      const b = list.items.filter((p) => p.metadata.name?.startsWith("web-") && p.spec.nodeName);
      return b.length === 6 ? b : undefined;
    });
    const perNode = new Map<string, number>();
    for (const p of bound) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.values()].every((n) => n <= 4)).toBe(true);
  });

  test("an unschedulable pod gets PodScheduled=False and a FailedScheduling event; a new node makes it fit at once", async () => {
    await server.client.create(Pods, apiPod(pod("huge", { cpu: "16" })));
    const message = "0/2 nodes are available: 2 Insufficient cpu.";
    const cond = await waitFor("the Unschedulable condition", async () => {
      const p = await server.client.get<Pod>(Pods, "default", "huge");
      return p.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    });
    expect(cond.reason).toBe("Unschedulable");
    expect(cond.message).toBe(message);
    const ev = await waitFor("the FailedScheduling event", async () => {
      const events = await server.client.list<Event>(Events, "default");
      return events.items.find((e) => e.reason === "FailedScheduling" && e.involvedObject.name === "huge");
    });
    expect(ev.type).toBe("Warning");
    expect(ev.message).toBe(message);

    // Far sooner than the 60 s safety flush: the node event wakes the pod.
    const t0 = Date.now();
    await addNode(node("hollow-big", { cpu: "32", memory: "64Gi" }));
    const p = await waitFor("huge bound", async () => {
      const x = await server.client.get<Pod>(Pods, "default", "huge");
      return x.spec.nodeName ? x : undefined;
    });
    expect(p.spec.nodeName).toBe("hollow-big");
    expect(Date.now() - t0).toBeLessThan(15_000);
    await waitFor("PodScheduled=True", async () => {
      const x = await server.client.get<Pod>(Pods, "default", "huge");
      return x.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "True");
    });
  });
});
