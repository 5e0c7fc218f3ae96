// Pod status writes, apart from the pod syncs (Kubernetes' status manager):
// a sync hands over the status it computed and goes on starting containers;
// writers send the latest status of each pod (older ones are coalesced away),
// retrying failures with back-off. What was sent is remembered with the
// resourceVersion it produced, so a pod cache that lags behind our own write
// neither causes a duplicate write nor hides a later change.
import { isApiError } from "../api/errors.ts";
import { Pods } from "../api/registry.ts";
import type { Pod, PodStatus } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { WorkQueue } from "../client/workqueue.ts";
import { logger } from "../util/log.ts";
import { statusChanged } from "./pod-status.ts";

const log = logger("kubelet/status");

interface Pending {
  namespace: string;
  name: string;
  status: PodStatus;
}

interface Sent {
  status: PodStatus;
  resourceVersion: number;
}

export class StatusWriter {
  private readonly queue = new WorkQueue<string>();
  private readonly pending = new Map<string, Pending>();
  private readonly sent = new Map<string, Sent>();

  /** A few writers in flight: more only add contention on the server during a burst (measured with bench/startup.ts). */
  constructor(private readonly client: Client, concurrency = 4) {
    for (let i = 0; i < concurrency; i++) void this.worker();
  }

  /** The status the pod should have; written unless the server already has it. */
  set(pod: Pod, status: PodStatus): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const sent = this.sent.get(key);
    const storedRv = Number(pod.metadata.resourceVersion ?? 0);
    // Our last write is newer than the cached pod: compare with what we wrote.
    const baseline = sent && sent.resourceVersion > storedRv ? sent.status : pod.status;
    if (!statusChanged(baseline, status)) {
      this.pending.delete(key);
      return;
    }
    this.pending.set(key, { namespace: pod.metadata.namespace ?? "", name: pod.metadata.name ?? "", status });
    this.queue.add(key);
  }

  forget(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    this.pending.delete(key);
    this.sent.delete(key);
  }

  stop(): void {
    this.queue.shutDown();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const item = this.pending.get(key);
      this.pending.delete(key);
      try {
        if (item) await this.write(key, item);
        this.queue.forget(key);
      } catch (err) {
        log.warn("pod status write failed; retrying", { pod: key, err });
        if (item && !this.pending.has(key)) this.pending.set(key, item);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async write(key: string, item: Pending): Promise<void> {
    try {
      const updated = await this.client.patch<Pod>(Pods, item.namespace, item.name, { status: item.status }, "merge", "status");
      this.sent.set(key, { status: item.status, resourceVersion: Number(updated.metadata.resourceVersion ?? 0) });
    } catch (err) {
      if (isApiError(err, "NotFound")) return;
      throw err;
    }
  }
}
