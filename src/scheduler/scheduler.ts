// The scheduler loop. Informers keep the cache (nodes; bound pods) and the
// queue (pending pods) current; the loop pops a pod, decides synchronously off
// the cache, *assumes* the pod on the chosen node and issues the bind without
// waiting for it — up to maxInFlightBinds at once — so decisions run at CPU
// speed while binds overlap. A failed bind un-assumes and backs off.
import { isApiError } from "../api/errors.ts";
import { getCondition, podIsTerminal } from "../api/meta.ts";
import { Nodes, Pods } from "../api/registry.ts";
import type { Node, Pod } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { Informer } from "../client/informer.ts";
import { logger } from "../util/log.ts";
import { SchedulerCache } from "./cache.ts";
import { Framework, type Plugin } from "./framework.ts";
import { fitErrorMessage } from "./messages.ts";
import { newPodInfo, podKey } from "./pod-info.ts";
import { defaultPlugins } from "./plugins/index.ts";
import { SchedulingQueue, type QueueOptions, type QueuedPod } from "./queue.ts";
import { PodScheduledReporter } from "./status-reporter.ts";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
const log = logger("scheduler");

export interface SchedulerOptions {
  schedulerName?: string;
  /** 0 (default): adaptive, like Kubernetes' percentageOfNodesToScore. */
  percentageOfNodesToScore?: number;
  maxInFlightBinds?: number;
  plugins?: Plugin[];
  random?: () => number;
  queue?: QueueOptions;
}

export interface SchedulerStats {
  scheduled: number;
  unschedulableAttempts: number;
  bindErrors: number;
  inFlightBinds: number;
  /** Time spent deciding (filter + score), in ms. */
  decisionMs: number;
  queue: ReturnType<SchedulingQueue["counts"]>;
}

export interface RunningScheduler {
  /** Resolves once the caches are synced and the loop runs. */
  ready: Promise<void>;
  stats(): SchedulerStats;
  stop(): Promise<void>;
}

export function startScheduler(client: Client, opts: SchedulerOptions = {}): RunningScheduler {
  const s = new Scheduler(client, opts);
  const ready = s.start();
  ready.catch((err) => log.error("scheduler failed to start", { error: err }));
  return { ready, stats: () => s.stats(), stop: () => s.stop() };
}

/** The parts of a node whose change can make a waiting pod fit. */
function nodeSchedulingFacts(n: Node): string {
  const ready = getCondition(n.status?.conditions, "Ready")?.status;
  return JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable ?? n.status?.capacity, ready]);
}

const STOP_GRACE_MS = 5_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  private readonly framework: Framework;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly schedulerName: string;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private slotWaiter?: () => void;
  private stopped = false;
  private loop?: Promise<void>;
  private expiryTimer?: ReturnType<typeof setInterval>;
  private readonly reporter: PodScheduledReporter;
  private readonly counters = { scheduled: 0, unschedulableAttempts: 0, bindErrors: 0, decisionMs: 0 };

  constructor(
    private readonly client: Client,
    opts: SchedulerOptions = {},
  ) {
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.maxInFlight = opts.maxInFlightBinds ?? 64;
    this.queue = new SchedulingQueue(opts.queue);
    this.framework = new Framework(opts.plugins ?? defaultPlugins(), { percentageOfNodesToScore: opts.percentageOfNodesToScore, random: opts.random });
    this.nodes = new Informer<Node>(client, Nodes);
    this.pods = new Informer<Pod>(client, Pods);
    this.reporter = new PodScheduledReporter(client, (ns, name) => this.pods.get(ns, name));
  }

  async start(): Promise<void> {
    this.nodes.on({
      add: (n) => this.onNode(n),
      update: (old, n) => this.onNode(n, old),
      delete: (n) => this.cache.removeNode(n.metadata.name ?? ""),
    });
    this.pods.on({
      add: (p) => this.onPod(p),
      update: (old, p) => this.onPod(p, old),
      delete: (p) => this.onPodDeleted(p),
    });
    await Promise.all([this.nodes.start(), this.pods.start()]);
    if (this.stopped) return;
    this.expiryTimer = setInterval(() => {
      if (this.cache.expireAssumed().length) this.queue.moveAllToActiveOrBackoff();
    }, 5_000);
    this.loop = this.run();
    log.info("scheduler started", { nodes: this.cache.nodes().length, pending: this.queue.counts().total });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.close();
    this.nodes.stop();
    this.pods.stop();
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.reporter.stop();
    this.slotWaiter?.();
    // In-flight binds normally settle at once; a hung one must not hang shutdown.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.loop, new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
    clearTimeout(timer);
  }

  stats(): SchedulerStats {
    return { ...this.counters, inFlightBinds: this.inFlight, queue: this.queue.counts() };
  }

  // ---- informer events -------------------------------------------------------

  private onNode(node: Node, old?: Node): void {
    this.cache.upsertNode(node);
    if (!old || nodeSchedulingFacts(old) !== nodeSchedulingFacts(node)) this.queue.moveAllToActiveOrBackoff();
  }

  private onPod(pod: Pod, old?: Pod): void {
    const key = podKey(pod);
    if (podIsTerminal(pod)) {
      this.queue.delete(key);
      if (this.cache.has(key) && !this.cache.isAssumed(key)) {
        this.cache.removePod(key);
        this.queue.moveAllToActiveOrBackoff();
      }
      return;
    }
    if (pod.spec.nodeName) {
      this.queue.delete(key);
      this.cache.upsertPod(pod);
      // New labels on a placed pod can satisfy someone's pod affinity.
      if (old?.spec.nodeName && JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) this.queue.moveAllToActiveOrBackoff();
      return;
    }
    // Our own bind is in flight: the pod's pre-bind updates are not news.
    if (this.cache.isAssumed(key)) return;
    if (this.responsibleFor(pod)) this.queue.add(newPodInfo(pod));
    else this.queue.delete(key);
  }

  private onPodDeleted(pod: Pod): void {
    const key = podKey(pod);
    this.queue.delete(key);
    if (!this.cache.has(key)) return;
    this.cache.removePod(key);
    this.queue.moveAllToActiveOrBackoff();
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec.schedulerName || DEFAULT_SCHEDULER_NAME) === this.schedulerName && !pod.metadata.deletionTimestamp;
  }

  // ---- the loop ------------------------------------------------------------------

  private async run(): Promise<void> {
    let sliceStart = performance.now();
    while (!this.stopped) {
      const qp = this.queue.tryPop() ?? (await this.queue.pop());
      if (!qp || this.stopped) break;
      this.scheduleOne(qp);
      while (this.inFlight >= this.maxInFlight && !this.stopped) await new Promise<void>((r) => (this.slotWaiter = r));
      // Decisions are synchronous: let informer events and bind replies in now and then.
      if (performance.now() - sliceStart > 20) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    while (this.inFlight > 0) await new Promise<void>((r) => (this.slotWaiter = r));
  }

  /** Decide for one pod; the bind, if any, continues in the background. */
  scheduleOne(qp: QueuedPod): void {
    const info = qp.info;
    if (this.cache.has(info.key)) {
      this.queue.done(info.key);
      return;
    }
    const t0 = performance.now();
    const result = this.framework.schedule(info, this.cache);
    this.counters.decisionMs += performance.now() - t0;
    if (result.node === undefined) {
      this.counters.unschedulableAttempts++;
      const message = fitErrorMessage(result.numAllNodes, result.reasons);
      log.debug("pod unschedulable", { pod: info.key, message });
      this.queue.unschedulableAgain(qp);
      this.reporter.unschedulable(info.pod, message);
      return;
    }
    this.cache.assume(info, result.node);
    void this.bind(qp, result.node);
  }

  private async bind(qp: QueuedPod, nodeName: string): Promise<void> {
    const { key, info } = qp;
    this.inFlight++;
    try {
      await this.client.bind(info.namespace, info.pod.metadata.name ?? "", nodeName, info.pod.metadata.uid);
      this.cache.finishBinding(key);
      this.queue.done(key);
      // A pod that was reported Unschedulable before must not keep saying so.
      const latest = this.pods.get(info.namespace, info.pod.metadata.name ?? "") ?? info.pod;
      if (latest.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status !== "True")) this.reporter.scheduled(latest);
      this.counters.scheduled++;
      log.debug("pod bound", { pod: key, node: nodeName });
    } catch (err) {
      this.counters.bindErrors++;
      this.cache.forget(key);
      // Gone, or bound by someone else (the informer brings the bound pod).
      if (isApiError(err, "NotFound") || isApiError(err, "Conflict")) {
        this.queue.delete(key);
      } else {
        log.warn("bind failed; retrying", { pod: key, node: nodeName, error: err });
        this.queue.backoffAgain(qp);
        this.reporter.unschedulable(info.pod, `Binding rejected: ${err instanceof Error ? err.message : String(err)}`);
      }
      this.queue.moveAllToActiveOrBackoff();
    } finally {
      this.inFlight--;
      const w = this.slotWaiter;
      this.slotWaiter = undefined;
      w?.();
    }
  }
}
