// End to end with real processes: `skiff server` on 127.0.0.1 and two
// `skiff agent`s on 127.0.0.2 and 127.0.0.3, all on free ports in a temp dir.
// Short settings (lease 2 s, node grace 8 s, eviction after 2 s, back-off 1 s)
// keep the run short. The grace must leave a restarted agent (kill -9 test) room
// to come back on a busy 2-vCPU host before its node is marked unreachable and
// its pods not ready. The tests build on each other, in order.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Deployments, EndpointsResource, Jobs, Nodes, Pods, Services } from "../../src/api/registry.ts";
import type { Deployment, Endpoints, Job, Node, Pod, PodSpec, Service } from "../../src/api/types.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import { Cluster, slow, type AgentProc } from "./cluster.ts";
import { waitFor } from "../support/wait.ts";

const cluster = new Cluster();
let a: AgentProc;
let b: AgentProc;
const agentFlags = (range: string) => ["--node-lease-duration-seconds", "2", "--crashloop-backoff-base", "1s", "--crashloop-backoff-max", "20s", "--host-port-range", range];
const flagsA = [...agentFlags("43000-43999"), "--node-label", "zone=a", "--node-taint", "dedicated=edge:PreferNoSchedule", "--cpu", "3", "--memory", "2Gi", "--max-pods", "50"];
const flagsB = agentFlags("44000-44999");

const api = () => cluster.server!.client;
const getPod = (name: string) => api().get<Pod>(Pods, "default", name);
const listPods = async (selector: string) => (await api().list<Pod>(Pods, "default", { labelSelector: selector })).items;
const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

async function createPod(name: string, spec: Partial<PodSpec> & Pick<PodSpec, "containers">, labels: Record<string, string> = {}): Promise<Pod> {
  return api().create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", labels }, spec: { terminationGracePeriodSeconds: 5, ...spec } });
}

function deployment(name: string, replicas: number, spec: Partial<PodSpec> & Pick<PodSpec, "containers">): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 2, ...spec } } },
  };
}

const httpServer = {
  name: "web",
  command: ["python3", "-m", "http.server", "$(PORT)"],
  ports: [{ name: "http", containerPort: 8000 }],
  readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 1 },
};

beforeAll(async () => {
  await cluster.startServer(["--node-monitor-grace-period", "8s", "--default-unreachable-toleration-seconds", "2"]);
});

afterAll(async () => {
  await cluster.cleanup();
});

describe("agent end to end", () => {
  test("an agent with a bad token is refused", async () => {
    const good = cluster.server!.nodeToken;
    const wrongSecret = good.replace(/::node:.*$/, "::node:not-the-secret");
    const bad = cluster.startAgent("intruder", "127.0.0.4", [], wrongSecret);
    expect(await bad.proc.exited).toBe(1);
    expect(bad.log()).toContain("refused to join node intruder (HTTP 401");
    const wrongPin = cluster.startAgent("intruder2", "127.0.0.4", [], `K10${"0".repeat(64)}${good.slice(good.indexOf("::"))}`);
    expect(await wrongPin.proc.exited).toBe(1);
    expect(wrongPin.log()).toContain("does not match the token's hash");
    await expect(api().get(Nodes, undefined, "intruder")).rejects.toThrow(/not found/);
  }, 90_000);

  test("two agents join and their Nodes become Ready", async () => {
    a = cluster.startAgent("node-a", "127.0.0.2", flagsA);
    b = cluster.startAgent("node-b", "127.0.0.3", flagsB);
    for (const n of ["node-a", "node-b"]) {
      const node = await waitFor(`${n} Ready`, async () => {
        const x = await api().get<Node>(Nodes, undefined, n);
        return x.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") && x;
      }, slow);
      expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBeGreaterThan(0);
    }
    expect(readFileSync(join(a.dataDir, "agent", "credentials.json"), "utf8")).toContain("node-a");
    const nodeA = await api().get<Node>(Nodes, undefined, "node-a");
    expect(nodeA.metadata.labels).toMatchObject({ zone: "a", "kubernetes.io/hostname": "node-a", "kubernetes.io/os": "linux" });
    expect(nodeA.spec?.taints).toEqual([{ key: "dedicated", value: "edge", effect: "PreferNoSchedule" }]);
    expect(nodeA.status?.capacity).toEqual({ cpu: "3", memory: "2Gi", pods: "50" });
    expect(nodeA.status?.addresses).toContainEqual({ type: "InternalIP", address: "127.0.0.2" });
  }, 90_000);

  test("a node credential may not write another node (403)", async () => {
    const creds = JSON.parse(readFileSync(join(a.dataDir, "agent", "credentials.json"), "utf8")) as { token: string; caPem: string };
    const asNodeA = new ApiClient({ baseUrl: cluster.server!.url, token: creds.token, caPem: creds.caPem });
    await expect(asNodeA.patch(Nodes, undefined, "node-b", { metadata: { labels: { hacked: "yes" } } }, "merge")).rejects.toThrow(/forbidden|Forbidden/);
    await asNodeA.patch(Nodes, undefined, "node-a", { metadata: { labels: { ok: "yes" } } }, "merge");
  }, 90_000);

  test("a Deployment of python http.server becomes Running and Ready on both nodes", async () => {
    await api().create(Deployments, deployment("web", 2, { containers: [httpServer], topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } } }] }));
    const pods = await waitFor("2 ready web pods", async () => {
      const ps = await listPods("app=web");
      return ps.length === 2 && ps.every((p) => p.status?.phase === "Running" && isReady(p)) && ps;
    }, { ...slow, timeoutMs: 60_000 });
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(["node-a", "node-b"]);
    for (const p of pods) {
      const hp = p.status!.hostPorts![0]!;
      expect(p.status?.podIP).toBe(p.spec.nodeName === "node-a" ? "127.0.0.2" : "127.0.0.3");
      const res = await fetch(`http://${p.status!.hostIP}:${hp.hostPort}/`);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
  }, 90_000);

  test("a Service's Endpoints publish hostIP:hostPort, which reach the pods", async () => {
    await api().create<Service>(Services, { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "default" }, spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
    const pods = await listPods("app=web");
    const want = pods.map((p) => `${p.status!.hostIP}:${p.status!.hostPorts![0]!.hostPort}`).sort();
    const got = await waitFor("endpoints", async () => {
      const ep = await api().get<Endpoints>(EndpointsResource, "default", "web");
      const pairs = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => `${a.ip}:${s.ports![0]!.port}`)).sort();
      return pairs.length === 2 && pairs;
    }, slow);
    expect(got).toEqual(want);
    for (const addr of got) {
      const res = await fetch(`http://${addr}/`);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
  }, 90_000);

  test("a liveness probe restarts a hung container", async () => {
    // The HTTP server is stopped (SIGSTOP) after 2 s: it hangs, the probe times out.
    await createPod("hangs", {
      nodeName: "node-a",
      containers: [{
        name: "c",
        command: ["sh", "-c", "python3 -m http.server $PORT & sleep 2; kill -STOP $!; wait"],
        ports: [{ containerPort: 8000 }],
        livenessProbe: { httpGet: { path: "/", port: 8000 }, initialDelaySeconds: 1, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 },
      }],
    });
    const p = await waitFor("a restart", async () => {
      const x = await getPod("hangs");
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && x;
    }, slow);
    const t = p.status!.containerStatuses![0]!.lastState!.terminated!;
    // It answered probes until it hung (2 s), then was killed after two failed probes.
    expect(Date.parse(t.finishedAt!) - Date.parse(t.startedAt!)).toBeGreaterThanOrEqual(2500);
  }, 90_000);

  test("CrashLoopBackOff: the back-off grows", async () => {
    await createPod("crasher", { nodeName: "node-b", containers: [{ name: "c", command: ["sh", "-c", "exit 2"] }] });
    const seen: { count: number; at: number }[] = [];
    await waitFor("4 restarts", async () => {
      const cs = (await getPod("crasher")).status?.containerStatuses?.[0];
      if (cs && cs.restartCount !== seen.at(-1)?.count) seen.push({ count: cs.restartCount, at: Date.now() });
      return (cs?.restartCount ?? 0) >= 4;
    }, { timeoutMs: 40_000, everyMs: 50 });
    const waiting = await waitFor("CrashLoopBackOff", async () => {
      const w = (await getPod("crasher")).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === "CrashLoopBackOff" && w;
    }, { timeoutMs: 20_000, everyMs: 50 });
    expect(waiting.message).toContain("back-off");
    // With a 1 s base: restarts at ~0, 1, 2, 4 s apart.
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps.at(-2)! * 1.4);
    expect(gaps.at(-1)!).toBeGreaterThan(3000);
  }, 90_000);

  test("a Job runs to completion", async () => {
    await api().create<Job>(Jobs, {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "once", namespace: "default" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", command: ["sh", "-c", "echo job done"] }] } }, backoffLimit: 2 },
    });
    const job = await waitFor("job complete", async () => {
      const j = await api().get<Job>(Jobs, "default", "once");
      return j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True") && j;
    }, slow);
    expect(job.status?.succeeded).toBe(1);
    const pod = (await listPods("job-name=once"))[0]!;
    expect(pod.status?.phase).toBe("Succeeded");
    const logs = await cluster.cli(["logs", pod.metadata.name!]);
    expect(logs.stdout).toBe("job done\n");
  }, 90_000);

  test("skiff logs -f streams a growing log; --tail and --previous work", async () => {
    await createPod("ticker", { nodeName: "node-b", containers: [{ name: "c", command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"] }] });
    await waitFor("running", async () => (await getPod("ticker")).status?.phase === "Running", slow);
    const follow = cluster.cliStream(["logs", "ticker", "-f"]);
    const reader = follow.stdout.getReader();
    let text = "";
    await waitFor("streamed ticks", async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return /tick 8\n/.test(text);
    }, { timeoutMs: 20_000, everyMs: 0 });
    expect(text.startsWith("tick 1\n")).toBe(true);
    follow.kill("SIGKILL");
    const tail = await cluster.cli(["logs", "ticker", "--tail", "2"]);
    expect(tail.stdout.trim().split("\n")).toHaveLength(2);
    const prev = await cluster.cli(["logs", "crasher", "--previous"]);
    expect(prev.code).toBe(0);
    const none = await cluster.cli(["logs", "ticker", "--previous"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("previous terminated container");
  }, 90_000);

  test("graceful deletion sends SIGTERM first, then the pod is gone", async () => {
    const marker = join(cluster.dir, "sigterm-marker");
    const trapped = join(cluster.dir, "sigterm-trapped");
    await createPod("graceful", { nodeName: "node-a", containers: [{ name: "c", command: ["sh", "-c", `trap 'echo got TERM > ${marker}; exit 0' TERM; touch ${trapped}; while true; do sleep 0.1; done`] }] });
    await waitFor("running", async () => (await getPod("graceful")).status?.containerStatuses?.[0]?.state?.running, slow);
    await waitFor("the shell's TERM trap", () => existsSync(trapped), slow);
    const del = await cluster.cli(["delete", "pod", "graceful"]);
    expect(del.code).toBe(0);
    await waitFor("pod gone", async () => {
      try {
        await getPod("graceful");
        return false;
      } catch {
        return true;
      }
    }, { ...slow, timeoutMs: 20_000 });
    expect(readFileSync(marker, "utf8")).toBe("got TERM\n");
  }, 90_000);

  test("kill -9 the agent and restart it: its pods keep their PIDs and restart counts", async () => {
    const before = cluster.containers(a).filter((c) => !c.exit);
    expect(before.length).toBeGreaterThan(0);
    const podsBefore = (await api().list<Pod>(Pods, "default", { fieldSelector: "spec.nodeName=node-a" })).items;
    const restarts = new Map(podsBefore.map((p) => [p.metadata.name, p.status?.containerStatuses?.[0]?.restartCount]));
    Cluster.killGroup(a.proc, "SIGKILL");
    await a.proc.exited;
    // Negative assertion: the containers must outlive their agent (500 ms is ample for a group kill to land).
    await Bun.sleep(500);
    for (const c of before) process.kill(c.pid!, 0); // still running without the agent
    a = cluster.startAgent("node-a", "127.0.0.2", flagsA);
    await waitFor("agent A back", async () => a.log().includes("agent started"), slow);
    // The adopted web pod stays Ready all along (its readiness is not reset by the restart). Negative assertion over 3 s.
    const web0 = before.find((c) => c.podName.startsWith("web-"))!;
    for (let t = Date.now(); Date.now() - t < 3000; await Bun.sleep(100)) expect(isReady(await getPod(web0.podName))).toBe(true);
    const after = new Map(cluster.containers(a).filter((c) => !c.exit).map((c) => [c.id, c.pid]));
    // The web pod and the ticker-like pods on A: same process, same attempt.
    const web = before.find((c) => c.podName.startsWith("web-"))!;
    expect(after.get(web.id)).toBe(web.pid);
    const webPod = await getPod(web.podName);
    expect(webPod.status?.containerStatuses?.[0]?.restartCount).toBe(restarts.get(web.podName));
    expect(isReady(webPod)).toBe(true);
  }, 90_000);

  test("stop an agent for good: its pods are replaced on the other node", async () => {
    // No placement rule: the scheduler spreads a ReplicaSet's pods over the nodes by itself.
    await api().create(Deployments, deployment("survivor", 2, { containers: [{ name: "c", command: ["sleep", "600"] }] }));
    const placed = await waitFor("2 running survivor pods", async () => {
      const ps = await listPods("app=survivor");
      return ps.length === 2 && ps.every((p) => p.status?.phase === "Running") && ps;
    }, { ...slow, timeoutMs: 60_000 });
    const onB = placed.filter((p) => p.spec.nodeName === "node-b").map((p) => p.metadata.name);
    expect(onB.length).toBeGreaterThan(0);
    // Node B dies with its processes.
    Cluster.killGroup(b.proc, "SIGKILL");
    await b.proc.exited;
    cluster.killContainers(b);
    await waitFor("node-b not ready", async () => {
      const n = await api().get<Node>(Nodes, undefined, "node-b");
      return n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True";
    }, slow);
    const replaced = await waitFor("2 running survivor pods on node-a", async () => {
      const ps = (await listPods("app=survivor")).filter((p) => !p.metadata.deletionTimestamp);
      return ps.length === 2 && ps.every((p) => p.spec.nodeName === "node-a" && p.status?.phase === "Running") && ps;
    }, { ...slow, timeoutMs: 60_000 });
    expect(replaced.map((p) => p.metadata.name)).not.toContain(onB[0]);
  }, 90_000);
});
