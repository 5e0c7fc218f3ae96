// A test harness standing in for agents: "hollow" nodes that register a Node,
// renew a Lease in kube-node-lease, and a fake kubelet that marks pods bound to
// them Running and Ready through the status subresource (or Succeeded/Failed, as
// the test decides), and confirms deletions like a kubelet does (delete again
// with gracePeriodSeconds=0). A node can be stopped (it goes silent: no lease
// renewals, no pod handling — an unreachable node) and resumed.
import { isApiError } from "../../src/api/errors.ts";
import { isBeingDeleted, podIsTerminal } from "../../src/api/meta.ts";
import { Leases, Nodes, Pods } from "../../src/api/registry.ts";
import type { Lease, Node, Pod, PodStatus, Taint } from "../../src/api/types.ts";
import type { Client } from "../../src/client/client.ts";
import { Informer } from "../../src/client/informer.ts";

/** What a pod does once started. "run": Running and Ready; "pending": stays Pending; exit codes finish it. */
export type PodBehaviour = { phase: "Running"; ready?: boolean } | { phase: "Succeeded" } | { phase: "Failed"; exitCode?: number } | { phase: "Pending" };

export interface FakeKubeletOptions {
  /** Lease renewal interval (ms, default 200). */
  leaseRenewMs?: number;
  /** What each new pod does (default: Running and Ready). */
  behaviour?: (pod: Pod) => PodBehaviour;
  /** Running pods report Ready only after this long (default 0), like a readiness probe. */
  readyAfterMs?: number;
}

interface HollowNode {
  name: string;
  timer?: ReturnType<typeof setInterval>;
  silent: boolean;
}

let ipCounter = 0;

export class FakeKubelet {
  private readonly nodes = new Map<string, HollowNode>();
  private readonly pods: Informer<Pod>;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Pods already being started (their first status write may not be back yet). */
  private readonly starting = new Set<string>();
  private stopped = false;
  behaviour: (pod: Pod) => PodBehaviour;

  constructor(private readonly client: Client, private readonly opts: FakeKubeletOptions = {}) {
    this.behaviour = opts.behaviour ?? (() => ({ phase: "Running", ready: true }));
    this.pods = new Informer<Pod>(client, Pods);
    this.pods.on({ add: (p) => this.handle(p), update: (_, p) => this.handle(p) });
  }

  async start(): Promise<void> {
    await this.pods.start();
  }

  async addNode(name: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Promise<Node> {
    const now = new Date().toISOString();
    const node: Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", ...(o.labels ?? {}) } },
      spec: { taints: o.taints },
    };
    // Known before it exists, so pods placed on it the moment it appears are started.
    const hollow: HollowNode = { name, silent: false };
    this.nodes.set(name, hollow);
    await this.client.create<Node>(Nodes, node);
    const status = { capacity: { cpu: "64", memory: "256Gi", pods: "500" }, allocatable: { cpu: "64", memory: "256Gi", pods: "500" }, conditions: [readyCondition(now)], addresses: [{ type: "InternalIP" as const, address: "127.0.0.1" }] };
    const withStatus = await this.client.patch<Node>(Nodes, undefined, name, { status }, "merge", "status");
    await this.client.create<Lease>(Leases, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name, namespace: "kube-node-lease" },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: toMicroTime(Date.now()) },
    });
    this.startRenewing(hollow);
    for (const p of this.pods.list()) if (p.spec.nodeName === name) this.handle(p);
    return withStatus;
  }

  /** The node goes silent: no lease renewals, pods left as they are (an unreachable host). */
  stopNode(name: string): void {
    const n = this.mustNode(name);
    n.silent = true;
    clearInterval(n.timer);
  }

  /** The node comes back: renews its lease, reports Ready, and handles its pods again. */
  async resumeNode(name: string): Promise<void> {
    const n = this.mustNode(name);
    n.silent = false;
    await this.client.patch(Nodes, undefined, name, { status: { conditions: [readyCondition(new Date().toISOString())] } }, "merge", "status");
    this.startRenewing(n);
    for (const p of this.pods.list()) {
      if (p.spec.nodeName !== name) continue;
      // Pods the node lifecycle controller marked not ready while we were away are reported as they are.
      if (p.status?.startTime && !podIsTerminal(p) && !isBeingDeleted(p)) this.track(this.writeStatus(p, this.behaviour(p)));
      else this.handle(p);
    }
  }

  async removeNode(name: string): Promise<void> {
    const n = this.mustNode(name);
    clearInterval(n.timer);
    this.nodes.delete(name);
    await this.client.delete(Nodes, undefined, name);
    await this.client.delete(Leases, "kube-node-lease", name).catch(() => undefined);
  }

  /** Finish a running pod as if its container exited. */
  async finishPod(namespace: string, name: string, exitCode: number): Promise<void> {
    const pod = await this.client.get<Pod>(Pods, namespace, name);
    await this.writeStatus(pod, exitCode === 0 ? { phase: "Succeeded" } : { phase: "Failed", exitCode });
  }

  list(): Pod[] {
    return this.pods.list();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const n of this.nodes.values()) clearInterval(n.timer);
    this.pods.stop();
    await Promise.allSettled([...this.inflight]);
  }

  private mustNode(name: string): HollowNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no hollow node ${name}`);
    return n;
  }

  private startRenewing(n: HollowNode): void {
    clearInterval(n.timer);
    n.timer = setInterval(() => {
      if (this.stopped || n.silent) return;
      this.track(this.client.patch(Leases, "kube-node-lease", n.name, { spec: { renewTime: toMicroTime(Date.now()) } }, "merge"));
    }, this.opts.leaseRenewMs ?? 200);
  }

  private handle(pod: Pod): void {
    if (this.stopped) return;
    const node = pod.spec.nodeName ? this.nodes.get(pod.spec.nodeName) : undefined;
    if (!node || node.silent) return;
    if (isBeingDeleted(pod)) {
      // The kubelet stopped the containers: confirm the deletion.
      this.track(this.client.delete(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }));
      return;
    }
    if (podIsTerminal(pod) || pod.status?.startTime || this.starting.has(pod.metadata.uid ?? "")) return;
    this.starting.add(pod.metadata.uid ?? "");
    const b = this.behaviour(pod);
    if (b.phase === "Pending") return;
    const delay = this.opts.readyAfterMs ?? 0;
    if (b.phase !== "Running" || b.ready === false || delay <= 0) return this.track(this.writeStatus(pod, b));
    this.track(
      this.writeStatus(pod, { phase: "Running", ready: false }).then(async () => {
        await Bun.sleep(delay);
        const current = this.pods.get(pod.metadata.namespace ?? "", pod.metadata.name ?? "");
        if (this.stopped || !current || isBeingDeleted(current) || current.metadata.uid !== pod.metadata.uid) return;
        await this.writeStatus(current, b);
      }),
    );
  }

  private async writeStatus(pod: Pod, b: PodBehaviour): Promise<void> {
    const now = new Date().toISOString();
    const ready = b.phase === "Running" && b.ready !== false;
    const ip = pod.status?.podIP ?? `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${(ipCounter++ & 255) + 1}`;
    const terminated = b.phase === "Succeeded" || b.phase === "Failed" ? { terminated: { exitCode: b.phase === "Failed" ? (b.exitCode ?? 1) : 0, reason: b.phase === "Failed" ? "Error" : "Completed", finishedAt: now } } : undefined;
    const status: PodStatus = {
      phase: b.phase,
      hostIP: "127.0.0.1",
      podIP: ip,
      podIPs: [{ ip }],
      startTime: pod.status?.startTime ?? now,
      conditions: [
        { type: "Initialized", status: "True", lastTransitionTime: now },
        { type: "Ready", status: ready ? "True" : "False", lastTransitionTime: now },
        { type: "ContainersReady", status: ready ? "True" : "False", lastTransitionTime: now },
        { type: "PodScheduled", status: "True", lastTransitionTime: now },
      ],
      containerStatuses: pod.spec.containers.map((c) => ({ name: c.name, ready, restartCount: 0, image: c.image, state: terminated ?? { running: { startedAt: now } } })),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { status }, "merge", "status");
        return;
      } catch (err) {
        // A write racing another (the scheduler's binding, a controller) is retried, as a kubelet would.
        if (!isApiError(err, "Conflict") || attempt >= 5) {
          this.starting.delete(pod.metadata.uid ?? "");
          throw err;
        }
      }
    }
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => {
      if (!this.stopped && !isApiError(err, "NotFound") && !isApiError(err, "Conflict")) console.error("fake kubelet:", err);
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }
}

function readyCondition(now: string) {
  return { type: "Ready", status: "True" as const, reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: now, lastTransitionTime: now };
}

/** Leases carry MicroTime: RFC 3339 with microseconds. */
function toMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
