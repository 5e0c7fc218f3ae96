// What the scheduler tells users about a pod, written off the scheduling path
// a few at a time: for a pod that did not fit, a FailedScheduling Warning event
// and PodScheduled=False/Unschedulable with the reason; for a pod that fits
// after having been reported, PodScheduled=True. When a pod is reported again
// before its last report went out, only the latest one is written.
import { isApiError } from "../api/errors.ts";
import { Pods } from "../api/registry.ts";
import { getCondition, transitionTime } from "../api/meta.ts";
import type { Condition, Pod } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { logger } from "../util/log.ts";
import { podKey } from "./pod-info.ts";

export const COMPONENT = "default-scheduler";
const MAX_WORKERS = 8;
const log = logger("scheduler");

interface Report {
  pod: Pod;
  /** undefined: the pod was scheduled. */
  failure?: string;
}

export class PodScheduledReporter {
  private readonly pending = new Map<string, Report>();
  private workers = 0;
  private stopped = false;

  constructor(
    private readonly client: Client,
    /** The informer's newest copy of a pod, so conditions are patched onto current status. */
    private readonly latest: (namespace: string, name: string) => Pod | undefined,
  ) {}

  unschedulable(pod: Pod, message: string): void {
    this.enqueue({ pod, failure: message });
  }

  scheduled(pod: Pod): void {
    this.enqueue({ pod });
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }

  private enqueue(r: Report): void {
    if (this.stopped) return;
    this.pending.set(podKey(r.pod), r);
    if (this.workers < MAX_WORKERS) void this.work();
  }

  private async work(): Promise<void> {
    this.workers++;
    try {
      for (let next = this.take(); next; next = this.take()) await this.write(next);
    } finally {
      this.workers--;
    }
  }

  private take(): Report | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return first.value[1];
  }

  private async write(r: Report): Promise<void> {
    const pod = this.latest(r.pod.metadata.namespace ?? "default", r.pod.metadata.name ?? "") ?? r.pod;
    if (r.failure === undefined) return this.setCondition(pod, { type: "PodScheduled", status: "True", lastProbeTime: null });
    if (pod.spec.nodeName) return;
    await recordEvent(this.client, pod, "Warning", "FailedScheduling", r.failure, COMPONENT);
    await this.setCondition(pod, { type: "PodScheduled", status: "False", reason: "Unschedulable", message: r.failure, lastProbeTime: null });
  }

  /** Replace the PodScheduled condition unless it already says the same; keep the transition time when the status stays. */
  private async setCondition(pod: Pod, want: Condition): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    const current = getCondition(conditions, "PodScheduled");
    if (current && current.status === want.status && current.reason === want.reason && current.message === want.message) return;
    const condition: Condition = { ...want, lastTransitionTime: transitionTime(current, want.status, new Date().toISOString()) };
    const next = [...conditions.filter((c) => c.type !== "PodScheduled"), condition];
    try {
      await this.client.patch(Pods, pod.metadata.namespace, pod.metadata.name ?? "", { status: { conditions: next } }, "merge", "status");
    } catch (err) {
      if (!isApiError(err, "NotFound")) log.warn("could not set PodScheduled condition", { pod: podKey(pod), error: err });
    }
  }
}
