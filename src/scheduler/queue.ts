// The scheduling queue, shaped like Kubernetes': an active heap (higher
// spec.priority first, then older), a backoff heap for pods that failed
// recently (1s doubling to 10s), and an unschedulable pool whose pods wait for
// a cluster event (node added or changed, pod deleted) instead of a timer —
// with a slow periodic flush as a safety net for events the scheduler does not
// watch.
import { Heap } from "./heap.ts";
import type { PodInfo } from "./pod-info.ts";

export type QueueArea = "active" | "backoff" | "unschedulable" | "inflight";

export interface QueuedPod {
  readonly key: string;
  info: PodInfo;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When the pod first entered the queue (ms epoch). */
  readonly firstSeen: number;
  /** When it last entered the active heap: the order among equal priorities. */
  timestamp: number;
  backoffUntil: number;
  /** The scheduling cycle of its last pop. */
  cycle: number;
  area: QueueArea;
  heapIndex: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without an event. */
  unschedulableTimeoutMs?: number;
  now?: () => number;
}

const byPriority = (a: QueuedPod, b: QueuedPod) => a.info.priority > b.info.priority || (a.info.priority === b.info.priority && a.timestamp < b.timestamp);
const byBackoff = (a: QueuedPod, b: QueuedPod) => a.backoffUntil < b.backoffUntil;

/** Did anything the scheduler looks at change between two versions of a pending pod? */
function schedulingInputsChanged(a: PodInfo, b: PodInfo): boolean {
  return JSON.stringify(a.pod.spec) !== JSON.stringify(b.pod.spec) || JSON.stringify(a.labels) !== JSON.stringify(b.labels);
}

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  private readonly active = new Heap<QueuedPod>(byPriority);
  private readonly backoff = new Heap<QueuedPod>(byBackoff);
  private readonly unschedulable = new Map<string, QueuedPod>();
  private waiter?: (qp: QueuedPod | undefined) => void;
  private closed = false;
  private cycle = 0;
  private moveRequestCycle = -1;
  private backoffTimer?: ReturnType<typeof setTimeout>;
  private backoffTimerAt = Infinity;
  private readonly flushTimer: ReturnType<typeof setInterval>;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private readonly now: () => number;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => this.flushUnschedulable(), Math.min(30_000, this.unschedulableTimeoutMs));
  }

  /** A pending pod was added or changed. */
  add(info: PodInfo): void {
    if (this.closed) return;
    const existing = this.pods.get(info.key);
    if (!existing) {
      const now = this.now();
      const qp: QueuedPod = { key: info.key, info, attempts: 0, firstSeen: now, timestamp: now, backoffUntil: 0, cycle: -1, area: "active", heapIndex: -1 };
      this.pods.set(info.key, qp);
      this.pushActive(qp);
      return;
    }
    const changed = schedulingInputsChanged(existing.info, info);
    existing.info = info;
    if (existing.area === "active") this.active.fix(existing.heapIndex);
    else if (existing.area === "unschedulable" && changed) this.moveOut(existing);
  }

  delete(key: string): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    this.pods.delete(key);
    this.detach(qp);
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  /** The next pod to schedule; waits while none is ready; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const qp = this.tryPop();
    if (qp || this.closed) return Promise.resolve(qp);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  tryPop(): QueuedPod | undefined {
    const qp = this.active.pop();
    if (!qp) return undefined;
    qp.area = "inflight";
    qp.attempts++;
    qp.cycle = ++this.cycle;
    return qp;
  }

  /** Scheduled and bound: the pod leaves the queue. */
  done(key: string): void {
    const qp = this.pods.get(key);
    if (qp?.area === "inflight") this.pods.delete(key);
  }

  /**
   * No node fits. It waits for a cluster event — unless one already happened
   * while it was being scheduled, in which case it only backs off.
   */
  unschedulableAgain(qp: QueuedPod): void {
    if (!this.isCurrent(qp)) return;
    qp.backoffUntil = this.now() + this.backoffFor(qp.attempts);
    if (this.moveRequestCycle >= qp.cycle) {
      this.pushBackoff(qp);
      return;
    }
    qp.area = "unschedulable";
    qp.timestamp = this.now();
    this.unschedulable.set(qp.key, qp);
  }

  /** A transient failure (the bind was rejected): retry after the backoff. */
  backoffAgain(qp: QueuedPod): void {
    if (!this.isCurrent(qp)) return;
    qp.backoffUntil = this.now() + this.backoffFor(qp.attempts);
    this.pushBackoff(qp);
  }

  /** Something changed in the cluster that may let waiting pods fit. */
  moveAllToActiveOrBackoff(): void {
    this.moveRequestCycle = this.cycle;
    for (const qp of [...this.unschedulable.values()]) this.moveOut(qp);
  }

  counts(): { active: number; backoff: number; unschedulable: number; total: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, total: this.pods.size };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.waiter?.(undefined);
    this.waiter = undefined;
  }

  backoffFor(attempts: number): number {
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.max(0, attempts - 1));
  }

  // ---- internals -----------------------------------------------------------

  private isCurrent(qp: QueuedPod): boolean {
    return !this.closed && this.pods.get(qp.key) === qp && qp.area === "inflight";
  }

  private moveOut(qp: QueuedPod): void {
    this.unschedulable.delete(qp.key);
    if (qp.backoffUntil > this.now()) this.pushBackoff(qp);
    else this.pushActive(qp);
  }

  private detach(qp: QueuedPod): void {
    if (qp.area === "active") this.active.remove(qp);
    else if (qp.area === "backoff") this.backoff.remove(qp);
    else if (qp.area === "unschedulable") this.unschedulable.delete(qp.key);
  }

  private pushActive(qp: QueuedPod): void {
    qp.area = "active";
    qp.timestamp = this.now();
    this.active.push(qp);
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    w(this.tryPop());
  }

  private pushBackoff(qp: QueuedPod): void {
    qp.area = "backoff";
    this.backoff.push(qp);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    const head = this.backoff.peek();
    if (!head || this.closed) return;
    if (this.backoffTimer && this.backoffTimerAt <= head.backoffUntil) return;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimerAt = head.backoffUntil;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffTimerAt = Infinity;
      this.flushBackoff();
    }, Math.max(0, head.backoffUntil - this.now()));
  }

  private flushBackoff(): void {
    const now = this.now();
    for (let head = this.backoff.peek(); head && head.backoffUntil <= now; head = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(head);
    }
    this.armBackoffTimer();
  }

  private flushUnschedulable(): void {
    const cutoff = this.now() - this.unschedulableTimeoutMs;
    for (const qp of [...this.unschedulable.values()]) if (qp.timestamp <= cutoff) this.moveOut(qp);
  }
}
