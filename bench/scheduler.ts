// Scheduler benchmark: hollow nodes (Node objects with capacity and a Ready
// condition, no agent) in a real skiff server, 10,000 pods created through the
// API, pods/s from the first create to the last bind (the bind write included)
// and per-pod latency from its create to its bind, seen on a watch.
//
//   bun run bench:scheduler                 100, 1,000, 5,000 nodes × 3 workloads
//   bun run bench:scheduler --quick         100 and 1,000 nodes, 2,000 pods
//   bun run bench:scheduler --nodes 5000 --pods 10000 --workloads basic
//   --in-process                            run the server in this process
//
// Beside the figures: the minimums Kubernetes' scheduler_perf CI enforces for
// the same shapes (test/integration/scheduler_perf/config/performance-config.yaml).
import { parseArgs } from "node:util";
import type { Node, Pod, PodSpec } from "../src/api/types.ts";
import { Nodes, Pods } from "../src/api/registry.ts";
import type { Client } from "../src/client/client.ts";
import { startTarget, type Target } from "./scheduler-target.ts";
import { waitFor } from "../test/support/wait.ts";

type Workload = "basic" | "anti-affinity" | "spread";

const K8S_MINIMUM: Partial<Record<`${Workload}/${number}`, number>> = {
  "basic/5000": 270,
  "spread/5000": 85,
};

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";
const NAMESPACE = "default";
const CREATE_CONCURRENCY = 64;
const ANTI_GROUP_SIZE = 50;

interface CaseResult {
  workload: Workload;
  nodes: number;
  pods: number;
  bound: number;
  seconds: number;
  podsPerSecond: number;
  p50: number;
  p99: number;
  createPerSecond: number;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function hollowNode(i: number): Node {
  const name = `hollow-${i}`;
  const resources = { cpu: "32", memory: "128Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { [HOST]: name, [ZONE]: `zone-${i % 10}`, "skiff.dev/hollow": "true" } },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "hollow node", lastHeartbeatTime: new Date().toISOString() }],
    },
  };
}

function podSpec(workload: Workload, i: number): { labels: Record<string, string>; spec: PodSpec } {
  const spec: PodSpec = { containers: [{ name: "pause", image: "pause", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] };
  if (workload === "basic") return { labels: { app: "basic" }, spec };
  if (workload === "anti-affinity") {
    const group = `g${Math.floor(i / ANTI_GROUP_SIZE)}`;
    spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: HOST }] } };
    return { labels: { group }, spec };
  }
  const sel = { matchLabels: { app: "spread" } };
  spec.topologySpreadConstraints = [
    { maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: "DoNotSchedule", labelSelector: sel },
    { maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: "DoNotSchedule", labelSelector: sel },
  ];
  return { labels: { app: "spread" }, spec };
}

async function createNodes(client: Client, count: number): Promise<void> {
  await pool(
    Array.from({ length: count }, (_, i) => i),
    CREATE_CONCURRENCY,
    async (i) => {
      const node = hollowNode(i);
      const created = await client.create<Node>(Nodes, node);
      // Servers that drop status on create (status subresource) get it written separately.
      if (!created.status?.allocatable) await client.updateStatus<Node>(Nodes, { ...created, status: node.status });
    },
  );
}

/** A pod pinned to the last node: once it is bound, the scheduler has seen every node. */
async function probeScheduler(client: Client, nodes: number): Promise<void> {
  const name = "bench-probe";
  await client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NAMESPACE }, spec: { containers: [{ name: "c", image: "pause" }], nodeSelector: { [HOST]: `hollow-${nodes - 1}` } } });
  await waitFor("the scheduler to see every node", async () => !!(await client.get<Pod>(Pods, NAMESPACE, name)).spec.nodeName, { timeoutMs: 60_000 });
  await client.delete(Pods, NAMESPACE, name, { gracePeriodSeconds: 0 });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function runCase(client: Client, workload: Workload, nodes: number, pods: number): Promise<CaseResult> {
  await createNodes(client, nodes);
  await probeScheduler(client, nodes);

  const createdAt = new Map<string, number>();
  const boundAt = new Map<string, number>();
  const list = await client.list<Pod>(Pods, NAMESPACE, { limit: 1 });
  const watch = client.watch<Pod>(Pods, NAMESPACE, { resourceVersion: list.metadata.resourceVersion });
  const watching = (async () => {
    for await (const ev of watch) {
      const name = ev.object.metadata.name ?? "";
      if (ev.object.spec?.nodeName && !boundAt.has(name) && name.startsWith("bench-")) boundAt.set(name, performance.now());
      if (boundAt.size >= pods) break;
    }
  })().catch(() => {});

  const names = Array.from({ length: pods }, (_, i) => `bench-${workload}-${i}`);
  const t0 = performance.now();
  await pool(names, CREATE_CONCURRENCY, async (name) => {
    const i = Number(name.slice(name.lastIndexOf("-") + 1));
    const { labels, spec } = podSpec(workload, i);
    createdAt.set(name, performance.now());
    await client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NAMESPACE, labels }, spec });
  });
  const createSeconds = (performance.now() - t0) / 1000;
  try {
    await waitFor(`${pods} pods bound`, () => boundAt.size >= pods, { timeoutMs: 180_000 });
  } catch (err) {
    console.error(`  ${workload}/${nodes}: ${(err as Error).message} (${boundAt.size} bound)`);
  }
  watch.close();
  await watching;

  const last = Math.max(...boundAt.values());
  const seconds = (last - t0) / 1000;
  const latencies = [...boundAt.entries()].map(([n, t]) => t - createdAt.get(n)!).sort((a, b) => a - b);
  return {
    workload,
    nodes,
    pods,
    bound: boundAt.size,
    seconds,
    podsPerSecond: boundAt.size / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    createPerSecond: pods / createSeconds,
  };
}

function printTable(results: CaseResult[]): void {
  const header = ["workload", "nodes", "pods bound", "pods/s", "p50 ms", "p99 ms", "creates/s", "k8s scheduler_perf min pods/s"];
  const rows = results.map((r) => [
    r.workload,
    r.nodes.toLocaleString("en-US"),
    `${r.bound.toLocaleString("en-US")}/${r.pods.toLocaleString("en-US")}`,
    r.podsPerSecond.toFixed(0),
    r.p50.toFixed(0),
    r.p99.toFixed(0),
    r.createPerSecond.toFixed(0),
    String(K8S_MINIMUM[`${r.workload}/${r.nodes}`] ?? "—"),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      "in-process": { type: "boolean", default: false },
      nodes: { type: "string" },
      pods: { type: "string" },
      workloads: { type: "string" },
    },
  });
  const nodeCounts = (values.nodes ?? (values.quick ? "100,1000" : "100,1000,5000")).split(",").map(Number);
  const pods = Number(values.pods ?? (values.quick ? 2000 : 10_000));
  const workloads = (values.workloads ?? "basic,anti-affinity,spread").split(",") as Workload[];
  console.log(`skiff scheduler benchmark: ${workloads.join(", ")} × ${nodeCounts.join("/")} nodes × ${pods} pods (${values["in-process"] ? "in-process server" : "server in its own process"})`);
  const results: CaseResult[] = [];
  for (const workload of workloads) {
    for (const nodes of nodeCounts) {
      const target: Target = await startTarget({ inProcess: values["in-process"] });
      try {
        const r = await runCase(target.client, workload, nodes, pods);
        console.log(`  ${workload} ${nodes} nodes: ${r.podsPerSecond.toFixed(0)} pods/s, p99 ${r.p99.toFixed(0)} ms (${r.bound}/${r.pods} bound)`);
        results.push(r);
      } finally {
        await target.stop();
      }
    }
  }
  console.log();
  printTable(results);
}

await main();
