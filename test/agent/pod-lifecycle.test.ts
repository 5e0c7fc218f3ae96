// The pure lifecycle rules: back-off, the plan (what to start/kill) and the status.
import { describe, expect, test } from "bun:test";
import { backoffDelay, restartDecision, type BackoffConfig } from "../../src/agent/backoff.ts";
import { planPod, type ProbeView } from "../../src/agent/pod-plan.ts";
import { computePodStatus, statusChanged } from "../../src/agent/pod-status.ts";
import type { RuntimeContainer } from "../../src/agent/runtime/runtime.ts";
import type { Pod, PodSpec } from "../../src/api/types.ts";

const cfg: BackoffConfig = { baseMs: 10_000, capMs: 300_000, resetAfterMs: 600_000 };
const T0 = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function pod(spec: Partial<PodSpec> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u" },
    spec: { containers: [{ name: "app", command: ["x"] }], ...spec },
  };
}

function rc(name: string, attempt: number, exit?: { code: number; at: number; started?: number }, init = false): RuntimeContainer {
  return {
    id: `process://u/${init ? "init" : "app"}/${name}/${attempt}`,
    podUid: "u",
    podNamespace: "default",
    podName: "p",
    containerName: name,
    attempt,
    init,
    pid: 100 + attempt,
    startedAt: iso(exit?.started ?? T0),
    logPath: "/dev/null",
    ...(exit ? { exit: { exitCode: exit.code, reason: exit.code === 0 ? "Completed" : "Error", finishedAt: iso(exit.at) } } : {}),
  };
}

const noProbes = () => undefined;

function plan(p: Pod, containers: RuntimeContainer[], now = T0, probes: (id: string) => ProbeView | undefined = noProbes) {
  return planPod({ pod: p, containers, probes, now, backoff: cfg });
}

function status(p: Pod, containers: RuntimeContainer[], now = T0, probes: (id: string) => ProbeView | undefined = noProbes) {
  const pl = plan(p, containers, now, probes);
  return computePodStatus({ pod: p, containers, probes, waiting: pl.waiting, hostPorts: [], nodeIP: "127.0.0.2", now, backoff: cfg });
}

describe("back-off", () => {
  test("first restart immediate, then 10s doubling, capped at 5 min", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, cfg))).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  test("restart policies", () => {
    const failed = rc("app", 0, { code: 1, at: T0 });
    const ok = rc("app", 0, { code: 0, at: T0 });
    expect(restartDecision(failed, "Always", false, T0, cfg).kind).toBe("now");
    expect(restartDecision(ok, "Always", false, T0, cfg).kind).toBe("now");
    expect(restartDecision(ok, "OnFailure", false, T0, cfg).kind).toBe("none");
    expect(restartDecision(failed, "OnFailure", false, T0, cfg).kind).toBe("now");
    expect(restartDecision(failed, "Never", false, T0, cfg).kind).toBe("none");
    expect(restartDecision(ok, "Always", true, T0, cfg).kind).toBe("none");
    expect(restartDecision(failed, "Always", true, T0, cfg).kind).toBe("now");
  });

  test("waits after the second failure; a long run resets the back-off", () => {
    const second = rc("app", 1, { code: 1, at: T0 });
    expect(restartDecision(second, "Always", false, T0 + 5_000, cfg)).toEqual({ kind: "later", at: T0 + 10_000, delayMs: 10_000 });
    expect(restartDecision(second, "Always", false, T0 + 10_000, cfg).kind).toBe("now");
    const longRun = rc("app", 5, { code: 1, at: T0 + 700_000, started: T0 });
    expect(restartDecision(longRun, "Always", false, T0 + 700_000, cfg).kind).toBe("now");
  });
});

describe("planPod", () => {
  test("starts every container of a new pod", () => {
    const p = pod({ containers: [{ name: "a" }, { name: "b" }] });
    expect(plan(p, []).actions.map((a) => a.type === "start" && `${a.container.name}#${a.attempt}`)).toEqual(["a#0", "b#0"]);
  });

  test("init containers run one at a time, in order, before the app containers", () => {
    const p = pod({ initContainers: [{ name: "i1" }, { name: "i2" }] });
    let pl = plan(p, []);
    expect(pl.actions).toMatchObject([{ type: "start", init: true, container: { name: "i1" } }]);
    expect(pl.waiting.get("app/app")?.reason).toBe("PodInitializing");
    pl = plan(p, [rc("i1", 0, undefined, true)]);
    expect(pl.actions).toEqual([]);
    pl = plan(p, [rc("i1", 0, { code: 0, at: T0 }, true)]);
    expect(pl.actions).toMatchObject([{ type: "start", init: true, container: { name: "i2" } }]);
    pl = plan(p, [rc("i1", 0, { code: 0, at: T0 }, true), rc("i2", 0, { code: 0, at: T0 }, true)]);
    expect(pl.actions).toMatchObject([{ type: "start", init: false, container: { name: "app" } }]);
  });

  test("a crashing container backs off with CrashLoopBackOff and a wake-up time", () => {
    const p = pod();
    const pl = plan(p, [rc("app", 0, { code: 1, at: T0 - 1 }), rc("app", 1, { code: 1, at: T0 })], T0 + 1000);
    expect(pl.actions).toEqual([]);
    expect(pl.waiting.get("app/app")?.reason).toBe("CrashLoopBackOff");
    expect(pl.waiting.get("app/app")?.message).toContain("back-off 10s");
    expect(pl.wakeAt).toBe(T0 + 10_000);
    expect(plan(p, [rc("app", 1, { code: 1, at: T0 })], T0 + 10_000).actions).toMatchObject([{ type: "start", attempt: 2 }]);
  });

  test("a failed liveness probe kills the running container", () => {
    const running = rc("app", 3);
    const pl = plan(pod(), [running], T0, () => ({ healthy: false, ready: false, started: true }));
    expect(pl.actions).toMatchObject([{ type: "kill", id: running.id, reason: "Unhealthy" }]);
  });
});

describe("activeDeadlineSeconds", () => {
  test("past the deadline: running containers are killed, nothing restarts, the pod fails", () => {
    const p = pod({ activeDeadlineSeconds: 60 });
    p.status = { startTime: iso(T0) };
    const running = rc("app", 0);
    expect(plan(p, [running], T0 + 30_000)).toMatchObject({ actions: [], wakeAt: T0 + 60_000 });
    expect(plan(p, [running], T0 + 60_000).actions).toMatchObject([{ type: "kill", id: running.id, reason: "DeadlineExceeded" }]);
    const killed = rc("app", 0, { code: 143, at: T0 + 60_500 });
    expect(plan(p, [killed], T0 + 61_000).actions).toEqual([]);
    const s = status(p, [killed], T0 + 61_000);
    expect(s).toMatchObject({ phase: "Failed", reason: "DeadlineExceeded" });
    expect(s.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(143);
  });
});

describe("computePodStatus", () => {
  test("running and ready: phase, conditions, IPs, container status", () => {
    const s = status(pod(), [rc("app", 0)]);
    expect(s.phase).toBe("Running");
    expect(s.podIP).toBe("127.0.0.2");
    expect(s.hostIP).toBe("127.0.0.2");
    expect(s.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(s.containerStatuses?.[0]).toMatchObject({ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: iso(T0) } } });
  });

  test("not ready until the readiness probe succeeds", () => {
    const s = status(pod(), [rc("app", 0)], T0, () => ({ healthy: true, ready: false, started: true }));
    expect(s.conditions?.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady" });
    expect(s.containerStatuses?.[0]?.ready).toBe(false);
  });

  test("crash loop: waiting CrashLoopBackOff, lastState terminated, restart count", () => {
    const s = status(pod(), [rc("app", 1, { code: 2, at: T0 })], T0 + 1000);
    expect(s.phase).toBe("Running");
    const cs = s.containerStatuses![0]!;
    expect(cs.state?.waiting?.reason).toBe("CrashLoopBackOff");
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
    expect(cs.restartCount).toBe(1);
  });

  test("Job-style pods finish: Succeeded or Failed", () => {
    const never = pod({ restartPolicy: "Never" });
    expect(status(never, [rc("app", 0, { code: 0, at: T0 })]).phase).toBe("Succeeded");
    expect(status(never, [rc("app", 0, { code: 1, at: T0 })]).phase).toBe("Failed");
    const onFailure = pod({ restartPolicy: "OnFailure" });
    expect(status(onFailure, [rc("app", 0, { code: 1, at: T0 })]).phase).toBe("Running");
    const done = status(onFailure, [rc("app", 0, { code: 1, at: T0 }), rc("app", 1, { code: 0, at: T0 })]);
    expect(done.phase).toBe("Succeeded");
    expect(done.containerStatuses![0]!.state?.terminated?.reason).toBe("Completed");
    expect(done.conditions?.find((c) => c.type === "Ready")?.reason).toBe("PodCompleted");
  });

  test("pending while init runs; Failed when an init container fails with Never", () => {
    const p = pod({ initContainers: [{ name: "i" }], restartPolicy: "Never" });
    const pending = status(p, [rc("i", 0, undefined, true)]);
    expect(pending.phase).toBe("Pending");
    expect(pending.conditions?.find((c) => c.type === "Initialized")?.status).toBe("False");
    expect(pending.containerStatuses?.[0]?.state?.waiting?.reason).toBe("PodInitializing");
    expect(status(p, [rc("i", 0, { code: 1, at: T0 }, true)]).phase).toBe("Failed");
  });

  test("condition transition times are kept while the status holds, and statusChanged sees real changes only", () => {
    const p = pod();
    const first = status(p, [rc("app", 0)], T0);
    p.status = first;
    const again = status(p, [rc("app", 0)], T0 + 60_000);
    expect(again.conditions).toEqual(first.conditions);
    expect(statusChanged(first, again)).toBe(false);
    const crashed = status(p, [rc("app", 0, { code: 1, at: T0 + 60_000 })], T0 + 60_000);
    expect(statusChanged(first, crashed)).toBe(true);
  });
});
