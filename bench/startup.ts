// Pod startup benchmark: a real `skiff server` and three `skiff agent`s (127.0.0.2-4)
// as processes; 100 pods created through the API (16 concurrent creates), each
// timed from its create request to Ready=True seen on a watch. Then the agents'
// RSS idle and with 50 running pods on one agent.
// Peer in the same run: spawning the same 100 processes straight with Bun.spawn
// (no API, no scheduler, no kubelet) — the floor the orchestration adds to.
//
//   bun run bench:startup [--pods 100] [--rss-pods 50]
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { Nodes, Pods } from "../src/api/registry.ts";
import type { Pod } from "../src/api/types.ts";
import { Cluster, type AgentProc } from "../test/e2e/cluster.ts";
import { waitFor } from "../test/support/wait.ts";

const { values } = parseArgs({ options: { pods: { type: "string", default: "100" }, "rss-pods": { type: "string", default: "50" } } });
const PODS = Number(values.pods);
const RSS_PODS = Number(values["rss-pods"]);
const CONCURRENCY = 16;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function pod(name: string, labels: Record<string, string>, nodeSelector?: Record<string, string>): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: { containers: [{ name: "c", command: ["sleep", "3600"] }], terminationGracePeriodSeconds: 1, ...(nodeSelector ? { nodeSelector } : {}) },
  };
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

interface Latencies {
  /** create → Ready, sorted. */
  total: number[];
  /** create → bound (spec.nodeName on the watch), sorted. */
  bind: number[];
  /** bound → Ready, sorted. */
  kubelet: number[];
}

/** Create `names` pods and time each from its create request to Ready on a watch. */
async function startupLatencies(cluster: Cluster, names: string[], labels: Record<string, string>, nodeSelector?: Record<string, string>): Promise<Latencies> {
  const client = cluster.server!.client;
  const rv = (await client.list(Pods, "default", { limit: 1 })).metadata.resourceVersion;
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const bound = new Map<string, number>();
  const watch = client.watch<Pod>(Pods, "default", { resourceVersion: rv, labelSelector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",") });
  const watching = (async () => {
    for await (const e of watch) {
      const name = e.object.metadata.name!;
      if (!bound.has(name) && e.object.spec.nodeName) bound.set(name, performance.now());
      if (!ready.has(name) && isReady(e.object)) ready.set(name, performance.now());
      if (ready.size === names.length) break;
    }
  })();
  await pool(names, CONCURRENCY, async (name) => {
    created.set(name, performance.now());
    await client.create(Pods, pod(name, labels, nodeSelector));
  });
  // Closing the watch ends the loop above; a cleared timer (unlike a raced
  // sleep) does not keep the benchmark alive once it is done.
  const deadline = setTimeout(() => watch.close(), 120_000);
  await watching;
  clearTimeout(deadline);
  watch.close();
  if (ready.size < names.length) throw new Error(`only ${ready.size}/${names.length} pods became Ready`);
  const sorted = (f: (n: string) => number) => names.map(f).sort((x, y) => x - y);
  return {
    total: sorted((n) => ready.get(n)! - created.get(n)!),
    bind: sorted((n) => (bound.get(n) ?? ready.get(n)!) - created.get(n)!),
    kubelet: sorted((n) => ready.get(n)! - (bound.get(n) ?? ready.get(n)!)),
  };
}

/** The peer: the same processes spawned directly, timed from spawn call to the process running. */
async function directSpawnLatencies(n: number): Promise<number[]> {
  const out: number[] = [];
  const procs = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const p = Bun.spawn({ cmd: ["sleep", "3600"], stdio: ["ignore", "ignore", "ignore"], detached: true });
    out.push(performance.now() - t0);
    procs.push(p);
  }
  for (const p of procs) {
    p.kill("SIGKILL");
    await p.exited;
  }
  return out.sort((x, y) => x - y);
}

async function deleteAll(cluster: Cluster, selector: string): Promise<void> {
  const client = cluster.server!.client;
  const pods = (await client.list<Pod>(Pods, "default", { labelSelector: selector })).items;
  await pool(pods, CONCURRENCY, async (p) => void (await client.delete(Pods, "default", p.metadata.name!, { gracePeriodSeconds: 1 }).catch(() => {})));
  await waitFor("pods deleted", async () => (await client.list(Pods, "default", { labelSelector: selector })).items.length === 0, { timeoutMs: 120_000, everyMs: 250 });
}

async function main(): Promise<void> {
  const cluster = new Cluster();
  try {
    await cluster.startServer();
    const agents: AgentProc[] = [];
    for (let i = 0; i < 3; i++) agents.push(cluster.startAgent(`bench-${i}`, `127.0.0.${i + 2}`, ["--host-port-range", `${45000 + i * 1000}-${45999 + i * 1000}`]));
    await waitFor("agents registered", async () => (await cluster.server!.client.list(Nodes, undefined)).items.length === 3, { timeoutMs: 60_000, everyMs: 200 });
    await Bun.sleep(3000);
    const idle = agents.map((a) => rssMiB(a.proc.pid));

    const names = Array.from({ length: PODS }, (_, i) => `startup-${i}`);
    const lat = await startupLatencies(cluster, names, { bench: "startup" });
    await deleteAll(cluster, "bench=startup");

    const rssNames = Array.from({ length: RSS_PODS }, (_, i) => `rss-${i}`);
    const rssLat = await startupLatencies(cluster, rssNames, { bench: "rss" }, { "kubernetes.io/hostname": "bench-0" });
    await Bun.sleep(3000);
    const loaded = rssMiB(agents[0]!.proc.pid);
    await deleteAll(cluster, "bench=rss");

    const peer = await directSpawnLatencies(PODS);
    const f = (x: number) => x.toFixed(x < 10 ? 1 : 0);
    const line = (what: string, l: Latencies) =>
      console.log(`${what}: create → Ready p50 ${f(percentile(l.total, 50))} ms, p99 ${f(percentile(l.total, 99))} ms | create → bound p50 ${f(percentile(l.bind, 50))}, p99 ${f(percentile(l.bind, 99))} | bound → Ready p50 ${f(percentile(l.kubelet, 50))}, p99 ${f(percentile(l.kubelet, 99))}`);
    line(`pod startup, ${PODS} pods on 3 agents`, lat);
    line(`pod startup, ${RSS_PODS} pods on one agent`, rssLat);
    console.log(`peer: Bun.spawn of the same process directly: p50 ${f(percentile(peer, 50))} ms, p99 ${f(percentile(peer, 99))} ms`);
    console.log(`agent RSS idle: ${idle.map((x) => `${f(x)} MiB`).join(", ")}; with ${RSS_PODS} running pods: ${f(loaded)} MiB`);
  } finally {
    await cluster.cleanup();
  }
}

await main();
