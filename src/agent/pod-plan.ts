// The kubelet's decision step for one pod: from the pod's spec, the containers
// the runtime knows for it and the probe results, what to start or kill now.
// Pure, so every lifecycle rule is unit-tested without processes.
import type { Container, Pod } from "../api/types.ts";
import { restartDecision, type BackoffConfig } from "./backoff.ts";
import type { RuntimeContainer } from "./runtime/runtime.ts";

export interface ProbeView {
  /** False once liveness (or startup) failed past its threshold: the container must be restarted. */
  healthy: boolean;
  ready: boolean;
  started: boolean;
}

export interface Waiting {
  reason: string;
  message?: string;
}

export type Action =
  | { type: "start"; container: Container; init: boolean; attempt: number }
  | { type: "kill"; id: string; containerName: string; reason: string; message: string };

export interface Plan {
  actions: Action[];
  /** Why containers that are not running wait (key: containerKey). */
  waiting: Map<string, Waiting>;
  /** The earliest time a back-off ends: sync the pod again then. */
  wakeAt?: number;
}

export interface PodRuntimeView {
  pod: Pod;
  /** Every runtime container of this pod (all attempts the runtime still knows). */
  containers: RuntimeContainer[];
  probes: (containerId: string) => ProbeView | undefined;
  now: number;
  backoff: BackoffConfig;
}

export function containerKey(init: boolean, name: string): string {
  return `${init ? "init" : "app"}/${name}`;
}

/** The attempts of one container, oldest first. */
export function attemptsOf(containers: RuntimeContainer[], init: boolean, name: string): RuntimeContainer[] {
  return containers.filter((c) => c.init === init && c.containerName === name).sort((a, b) => a.attempt - b.attempt);
}

export function latestOf(containers: RuntimeContainer[], init: boolean, name: string): RuntimeContainer | undefined {
  return attemptsOf(containers, init, name).at(-1);
}

export type InitProgress = { state: "done" } | { state: "running"; index: number } | { state: "failed"; name: string };

/** How far the init containers got. */
export function initProgress(view: Pick<PodRuntimeView, "pod" | "containers" | "now" | "backoff">): InitProgress {
  const inits = view.pod.spec.initContainers ?? [];
  for (let i = 0; i < inits.length; i++) {
    const last = latestOf(view.containers, true, inits[i]!.name);
    if (last?.exit?.exitCode === 0) continue;
    if (last?.exit && restartDecision(last, view.pod.spec.restartPolicy, true, view.now, view.backoff).kind === "none") return { state: "failed", name: inits[i]!.name };
    return { state: "running", index: i };
  }
  return { state: "done" };
}

function backoffMessage(delayMs: number, c: Container, pod: Pod): string {
  return `back-off ${Math.round(delayMs / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

/** Start, restart (after back-off) or wait for one container. */
function step(view: PodRuntimeView, c: Container, init: boolean, plan: Plan): void {
  const last = latestOf(view.containers, init, c.name);
  const key = containerKey(init, c.name);
  if (!last) {
    plan.actions.push({ type: "start", container: c, init, attempt: 0 });
    return;
  }
  if (!last.exit) {
    const probe = view.probes(last.id);
    if (probe && !probe.healthy) {
      const why = probe.started ? "failed liveness probe" : "failed startup probe";
      plan.actions.push({ type: "kill", id: last.id, containerName: c.name, reason: "Unhealthy", message: `Container ${c.name} ${why}, will be restarted` });
    }
    return;
  }
  const d = restartDecision(last, view.pod.spec.restartPolicy, init, view.now, view.backoff);
  if (d.kind === "now") plan.actions.push({ type: "start", container: c, init, attempt: last.attempt + 1 });
  if (d.kind === "later") {
    plan.waiting.set(key, { reason: "CrashLoopBackOff", message: backoffMessage(d.delayMs, c, view.pod) });
    plan.wakeAt = Math.min(plan.wakeAt ?? Infinity, d.at);
  }
}

/** spec.activeDeadlineSeconds has passed since the pod started on this node. */
export function deadlineExceeded(pod: Pod, now: number): boolean {
  const deadline = pod.spec.activeDeadlineSeconds;
  const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
  return deadline !== undefined && Number.isFinite(start) && now - start >= deadline * 1000;
}

export const DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";

export function planPod(view: PodRuntimeView): Plan {
  const plan: Plan = { actions: [], waiting: new Map() };
  if (deadlineExceeded(view.pod, view.now)) {
    for (const c of view.containers) if (!c.exit) plan.actions.push({ type: "kill", id: c.id, containerName: c.containerName, reason: "DeadlineExceeded", message: DEADLINE_MESSAGE });
    return plan;
  }
  const deadline = view.pod.spec.activeDeadlineSeconds;
  if (deadline !== undefined && view.pod.status?.startTime) plan.wakeAt = Date.parse(view.pod.status.startTime) + deadline * 1000;
  const progress = initProgress(view);
  if (progress.state === "failed") return plan;
  if (progress.state === "running") {
    step(view, view.pod.spec.initContainers![progress.index]!, true, plan);
    for (const c of view.pod.spec.containers) plan.waiting.set(containerKey(false, c.name), { reason: "PodInitializing" });
    return plan;
  }
  for (const c of view.pod.spec.containers) step(view, c, false, plan);
  return plan;
}
