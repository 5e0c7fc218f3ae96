// A pod's status from what the runtime and the probes report. Pure: the kubelet
// compares the result with the stored status and writes only differences.
import { getCondition, transitionTime } from "../api/meta.ts";
import type { Condition, Container, ContainerStatus, HostPortMapping, Pod, PodPhase, PodStatus } from "../api/types.ts";
import { restartDecision, type BackoffConfig } from "./backoff.ts";
import { attemptsOf, containerKey, DEADLINE_MESSAGE, deadlineExceeded, initProgress, type ProbeView, type Waiting } from "./pod-plan.ts";
import type { RuntimeContainer } from "./runtime/runtime.ts";

export interface StatusInput {
  pod: Pod;
  containers: RuntimeContainer[];
  probes: (containerId: string) => ProbeView | undefined;
  /** From the plan (back-off, PodInitializing) and from failed starts (config errors). */
  waiting: Map<string, Waiting>;
  hostPorts: HostPortMapping[];
  nodeIP: string;
  now: number;
  backoff: BackoffConfig;
}

type State = NonNullable<ContainerStatus["state"]>;

function terminated(c: RuntimeContainer): State {
  const e = c.exit!;
  return {
    terminated: {
      exitCode: e.exitCode,
      ...(e.signal !== undefined ? { signal: e.signal } : {}),
      reason: e.reason,
      ...(e.message ? { message: e.message } : {}),
      startedAt: c.startedAt,
      finishedAt: e.finishedAt,
    },
  };
}

function containerStatus(input: StatusInput, c: Container, init: boolean): ContainerStatus {
  const attempts = attemptsOf(input.containers, init, c.name);
  const last = attempts.at(-1);
  const prev = attempts.at(-2);
  const waiting = input.waiting.get(containerKey(init, c.name));
  const base = { name: c.name, image: c.image ?? "", imageID: "" };
  if (!last) {
    return { ...base, state: { waiting: waiting ?? { reason: "ContainerCreating" } }, ready: false, started: false, restartCount: 0 };
  }
  const status: ContainerStatus = { ...base, ready: false, started: false, restartCount: last.attempt, containerID: last.id };
  if (!last.exit) {
    const probe = input.probes(last.id);
    status.state = { running: { startedAt: last.startedAt } };
    // No probe state (not set up yet, or the container is being stopped): only probe-less containers count as up.
    status.started = probe ? probe.started : !c.startupProbe;
    status.ready = probe ? probe.ready : !c.readinessProbe && !c.startupProbe;
    if (prev?.exit) status.lastState = terminated(prev);
    return status;
  }
  const restart = deadlineExceeded(input.pod, input.now) ? ({ kind: "none" } as const) : restartDecision(last, input.pod.spec.restartPolicy, init, input.now, input.backoff);
  if (restart.kind === "none") {
    status.state = terminated(last);
    if (prev?.exit) status.lastState = terminated(prev);
    return status;
  }
  status.state = { waiting: waiting ?? { reason: "ContainerCreating" } };
  status.lastState = terminated(last);
  return status;
}

function phaseOf(statuses: ContainerStatus[], initState: ReturnType<typeof initProgress>): PodPhase {
  if (initState.state === "failed") return "Failed";
  if (initState.state === "running") return "Pending";
  if (statuses.some((s) => s.containerID === undefined)) return "Pending";
  if (statuses.some((s) => s.state?.running || s.state?.waiting)) return "Running";
  // Every container has terminated for good.
  return statuses.every((s) => s.state?.terminated?.exitCode === 0) ? "Succeeded" : "Failed";
}

function condition(old: Condition[] | undefined, type: string, ok: boolean, now: string, reason?: string): Condition {
  const status = ok ? "True" : "False";
  const prev = getCondition(old, type);
  const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: transitionTime(prev, status, now) };
  if (reason && !ok) c.reason = reason;
  return c;
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod } = input;
  const now = new Date(input.now).toISOString();
  const old = pod.status ?? {};
  const initState = initProgress(input);
  const initStatuses = (pod.spec.initContainers ?? []).map((c) => containerStatus(input, c, true));
  const statuses = pod.spec.containers.map((c) => containerStatus(input, c, false));
  const expired = deadlineExceeded(pod, input.now);
  const phase = expired ? "Failed" : phaseOf(statuses, initState);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const allReady = statuses.every((s) => s.ready);
  const notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
  const scheduled = getCondition(old.conditions, "PodScheduled");
  const conditions: Condition[] = [
    condition(old.conditions, "Initialized", initState.state === "done", now, "ContainersNotInitialized"),
    condition(old.conditions, "Ready", allReady && !terminal, now, notReadyReason),
    condition(old.conditions, "ContainersReady", allReady && !terminal, now, notReadyReason),
    scheduled ?? condition(undefined, "PodScheduled", true, now),
  ];
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.nodeIP,
    podIP: input.nodeIP,
    podIPs: [{ ip: input.nodeIP }],
    startTime: old.startTime ?? now,
    containerStatuses: statuses,
    hostPorts: input.hostPorts,
  };
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (expired) {
    status.reason = "DeadlineExceeded";
    status.message = DEADLINE_MESSAGE;
  }
  return status;
}

/** Whether writing `next` would change the stored status (only the fields the kubelet owns are compared). */
export function statusChanged(stored: PodStatus | undefined, next: PodStatus): boolean {
  const s = (stored ?? {}) as Record<string, unknown>;
  return Object.entries(next).some(([k, v]) => JSON.stringify(s[k]) !== JSON.stringify(v));
}
