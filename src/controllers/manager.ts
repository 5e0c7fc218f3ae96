// The controller manager: runs each enabled controller behind shared informers
// (one cache per kind, however many controllers read it) and its own
// de-duplicating, rate-limited work queue. A controller is a reconcile function
// of a key; this file is the only place that knows how they are driven.
import { ApiError, isApiError } from "../api/errors.ts";
import type { ResourceType } from "../api/resource-type.ts";
import type { KubeObject } from "../api/types.ts";
import type { Client } from "../client/client.ts";
import { recordEvent } from "../client/events.ts";
import { Informer } from "../client/informer.ts";
import { WorkQueue } from "../client/workqueue.ts";
import { type Logger, logger } from "../util/log.ts";
import { cronJobController } from "./cronjob.ts";
import { daemonSetController } from "./daemonset.ts";
import { deploymentController } from "./deployment.ts";
import { endpointsController } from "./endpoints.ts";
import { garbageCollector } from "./garbage-collector.ts";
import { jobController } from "./job.ts";
import { namespaceController } from "./namespace.ts";
import { nodeLifecycleController } from "./node-lifecycle.ts";
import { podGcController } from "./pod-gc.ts";
import { replicaSetController, replicationController } from "./replicaset.ts";

export interface ControllerManagerOptions {
  /** Kubernetes style: ["*"] (default) for all, "name" to enable, "-name" to disable. */
  controllers?: string[];
  /** A node whose lease is not renewed for this long becomes Ready=Unknown (default 40s). */
  nodeMonitorGracePeriodMs?: number;
  /** tolerationSeconds for pods without a toleration for the unreachable/not-ready taints (default 60). */
  defaultUnreachableTolerationSeconds?: number;
  /** Terminated pods kept before the pod GC deletes the oldest (default 12500). */
  terminatedPodGcThreshold?: number;
  /** Delay before a Job replaces a failed pod, doubling per failure up to 6 minutes (default 10 s, as Kubernetes). */
  jobBackoffBaseMs?: number;
  /** Workers per controller (default 2). */
  workers?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export type ResolvedOptions = Required<Omit<ControllerManagerOptions, "controllers">>;

export interface ControllerContext {
  client: Client;
  /** The shared, cluster-wide informer of a kind. Register handlers during setup; the manager starts it. */
  informer<T extends KubeObject>(rt: ResourceType<T>): Informer<T>;
  options: ResolvedOptions;
  now(): number;
  log: Logger;
  /** Record an Event on `obj` (fire and forget; failures are only logged). */
  event(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

/** What a sync returns: nothing, or milliseconds after which to look at the key again. */
export type SyncResult = number | void;

export interface ControllerDefinition {
  name: string;
  /** Wire informer handlers that add keys to `queue`; return the reconcile function for a key. */
  setup(ctx: ControllerContext, queue: WorkQueue<string>): (key: string) => Promise<SyncResult>;
}

export const allControllers: ControllerDefinition[] = [
  replicaSetController,
  replicationController,
  deploymentController,
  daemonSetController,
  jobController,
  cronJobController,
  endpointsController,
  garbageCollector,
  namespaceController,
  nodeLifecycleController,
  podGcController,
];

/** Which controllers `--controllers` selects, like kube-controller-manager's flag. */
export function selectControllers(spec: string[] | undefined, known: string[]): string[] {
  const items = (spec && spec.length ? spec : ["*"]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const name = item.replace(/^-/, "");
    if (name !== "*" && !known.includes(name)) throw ApiError.badRequest(`unknown controller "${name}" (known: ${known.join(", ")})`);
  }
  const all = items.includes("*");
  return known.filter((name) => !items.includes(`-${name}`) && (all || items.includes(name)));
}

export interface ControllerManager {
  /** Resolves once every informer has its first list and the workers run. */
  ready: Promise<void>;
  stop(): void;
}

export function startControllerManager(client: Client, opts: ControllerManagerOptions = {}): ControllerManager {
  return runControllers(client, allControllers, opts);
}

/** Run the given controllers (those `opts.controllers` selects) over shared informers. */
export function runControllers(client: Client, definitions: ControllerDefinition[], opts: ControllerManagerOptions = {}): ControllerManager {
  const log = logger("controllers");
  const options: ResolvedOptions = {
    nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs ?? 40_000,
    defaultUnreachableTolerationSeconds: opts.defaultUnreachableTolerationSeconds ?? 60,
    terminatedPodGcThreshold: opts.terminatedPodGcThreshold ?? 12_500,
    jobBackoffBaseMs: opts.jobBackoffBaseMs ?? 10_000,
    workers: opts.workers ?? 2,
    now: opts.now ?? Date.now,
  };
  const informers = new Map<string, Informer<KubeObject>>();
  const ctx: ControllerContext = {
    client,
    options,
    now: options.now,
    log,
    informer<T extends KubeObject>(rt: ResourceType<T>): Informer<T> {
      const key = `${rt.group}/${rt.plural}`;
      let inf = informers.get(key);
      if (!inf) {
        inf = new Informer<KubeObject>(client, rt);
        informers.set(key, inf);
      }
      return inf as unknown as Informer<T>;
    },
    event(obj, type, reason, message) {
      recordEvent(client, obj, type, reason, message, "controller-manager").catch((err: unknown) => log.debug("event not recorded", { reason, error: err }));
    },
  };

  const enabled = selectControllers(opts.controllers, definitions.map((c) => c.name));
  const queues: WorkQueue<string>[] = [];
  const runs: (() => void)[] = [];
  for (const def of definitions) {
    if (!enabled.includes(def.name)) continue;
    const queue = new WorkQueue<string>();
    const sync = def.setup({ ...ctx, log: log.child(def.name) }, queue);
    queues.push(queue);
    runs.push(() => {
      for (let i = 0; i < options.workers; i++) void worker(def.name, queue, sync, log.child(def.name));
    });
  }

  let stopped = false;
  const ready = (async () => {
    await Promise.all([...informers.values()].map((inf) => inf.start()));
    if (stopped) return;
    for (const run of runs) run();
    log.info("controllers started", { controllers: enabled.join(",") });
  })();

  return {
    ready,
    stop() {
      stopped = true;
      for (const q of queues) q.shutDown();
      for (const inf of informers.values()) inf.stop();
    },
  };
}

async function worker(name: string, queue: WorkQueue<string>, sync: (key: string) => Promise<SyncResult>, log: Logger): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      const after = await sync(key);
      queue.forget(key);
      if (typeof after === "number" && Number.isFinite(after)) queue.addAfter(key, Math.max(after, 1));
    } catch (err) {
      // A conflict only means our cache was behind; retry soon without alarm.
      if (isApiError(err, "Conflict") || isApiError(err, "NotFound") || isApiError(err, "AlreadyExists")) log.debug("sync retry", { key, error: err });
      else log.warn("sync failed", { controller: name, key, error: err });
      queue.addRateLimited(key);
    } finally {
      queue.done(key);
    }
  }
}
