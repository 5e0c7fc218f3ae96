// `skiff server` with its embedded agent, in-process: join through app.fetch,
// Node + Lease, a pod scheduled to it runs, and its log comes back through the
// API server's pods/log proxy (HTTPS to the agent with the node credential).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Leases, Nodes, Pods } from "../../src/api/registry.ts";
import type { Lease, Node, Pod } from "../../src/api/types.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { waitFor } from "../support/wait.ts";

let dir: string;
let server: RunningServer;
const nodeName = hostname().toLowerCase();
/** A whole server with its embedded agent running real processes: longer than the default deadline. */
const patient = { timeoutMs: 20_000, everyMs: 50 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-embedded-"));
  server = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, sync: "normal" });
});

afterAll(async () => {
  const pods = await server.client.list<Pod>(Pods, "default").catch(() => ({ items: [] as Pod[] }));
  for (const p of pods.items) await server.client.delete(Pods, "default", p.metadata.name!, { gracePeriodSeconds: 1 }).catch(() => {});
  await waitFor("pods gone", async () => (await server.client.list<Pod>(Pods, "default")).items.length === 0, { timeoutMs: 15_000 }).catch(() => {});
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded agent", () => {
  test("registers its Node with the kubelet endpoint and renews its Lease", async () => {
    const node = await waitFor("node", () => server.client.get<Node>(Nodes, undefined, nodeName), patient);
    expect(node.status?.addresses).toContainEqual({ type: "InternalIP", address: "127.0.0.1" });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(node.metadata.labels?.["node-role.kubernetes.io/control-plane"]).toBe("true");
    const lease = await waitFor("lease", () => server.client.get<Lease>(Leases, "kube-node-lease", nodeName), patient);
    expect(lease.spec.holderIdentity).toBe(nodeName);
  });

  test("runs a scheduled pod and serves its log through the API server", async () => {
    await server.client.create<Pod>(Pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "hello", namespace: "default" },
      spec: { containers: [{ name: "c", command: ["sh", "-c", "echo hello from $(HOSTNAME); sleep 30"] }], terminationGracePeriodSeconds: 1 },
    });
    const pod = await waitFor("running", async () => {
      const p = await server.client.get<Pod>(Pods, "default", "hello");
      return p.status?.phase === "Running" && p;
    }, patient);
    expect(pod.spec.nodeName).toBe(nodeName);
    const text = await waitFor("log", async () => {
      const res = await server.client.request("GET", "/api/v1/namespaces/default/pods/hello/log");
      const t = await res.text();
      return t.length > 0 && t;
    }, patient);
    expect(text).toBe("hello from hello\n");
  });
});
