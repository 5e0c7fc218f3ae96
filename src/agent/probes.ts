// Liveness, readiness and startup probes. The threshold arithmetic is pure
// (nextProbeState); running a probe is I/O (httpGet, tcpSocket, exec); the
// ProbeManager keeps one timer per probe of each running container and tells
// the kubelet when a result flips.
import type { Probe } from "../api/types.ts";
import { logger } from "../util/log.ts";
import type { ProbeView } from "./pod-plan.ts";

const log = logger("agent/probes");

export type ProbeKind = "liveness" | "readiness" | "startup";

export interface ProbeState {
  /** The probe's current verdict. */
  ok: boolean;
  successes: number;
  failures: number;
  message?: string;
}

/** Before the first run: not ready, not started, but alive. */
export function initialProbeState(kind: ProbeKind): ProbeState {
  return { ok: kind === "liveness", successes: 0, failures: 0 };
}

/** Apply one probe outcome with Kubernetes' success/failure thresholds. */
export function nextProbeState(state: ProbeState, ok: boolean, probe: Probe, kind: ProbeKind, message?: string): ProbeState {
  // Liveness and startup probes must use successThreshold 1, as in Kubernetes.
  const successThreshold = kind === "readiness" ? Math.max(1, probe.successThreshold ?? 1) : 1;
  const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
  if (ok) {
    const successes = state.successes + 1;
    return { ok: state.ok || successes >= successThreshold, successes, failures: 0 };
  }
  const failures = state.failures + 1;
  return { ok: state.ok && failures < failureThreshold, successes: 0, failures, ...(message ? { message } : {}) };
}

export interface ProbeTarget {
  /** The pod's IP (the node's): the default host of httpGet and tcpSocket probes. */
  host: string;
  /** A container port (number or name) to the host port that serves it. */
  port: (p: number | string) => number | undefined;
  env: Record<string, string>;
  cwd: string;
}

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

async function httpGet(probe: NonNullable<Probe["httpGet"]>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = target.port(probe.port);
  if (port === undefined) return { ok: false, message: `unknown port ${probe.port}` };
  const scheme = (probe.scheme ?? "HTTP").toLowerCase();
  const path = probe.path ?? "/";
  const url = `${scheme}://${probe.host ?? target.host}:${port}${path.startsWith("/") ? path : `/${path}`}`;
  const headers: Record<string, string> = { "User-Agent": "skiff-probe/1.0" };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  try {
    const res = await fetch(url, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs), tls: { rejectUnauthorized: false } });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${res.status}` };
  } catch (err) {
    return { ok: false, message: `Get "${url}": ${(err as Error).message}` };
  }
}

async function tcpSocket(probe: NonNullable<Probe["tcpSocket"]>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  const port = target.port(probe.port);
  if (port === undefined) return { ok: false, message: `unknown port ${probe.port}` };
  const host = probe.host ?? target.host;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }), timeoutMs);
  });
  const attempt = Bun.connect({ hostname: host, port, socket: { data() {}, error() {} } }).then(
    (s): ProbeResult => {
      s.end();
      return { ok: true };
    },
    (err: Error): ProbeResult => ({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }),
  );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function exec(probe: NonNullable<Probe["exec"]>, target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
  if (!probe.command?.length) return { ok: false, message: "exec probe without a command" };
  try {
    const proc = Bun.spawn({ cmd: probe.command, env: target.env, cwd: target.cwd, stdio: ["ignore", "ignore", "ignore"], timeout: timeoutMs, killSignal: "SIGKILL" });
    const code = await proc.exited;
    if (proc.signalCode) return { ok: false, message: `command timed out after ${timeoutMs}ms` };
    return code === 0 ? { ok: true } : { ok: false, message: `command ${JSON.stringify(probe.command)} exited with ${code}` };
  } catch (err) {
    return { ok: false, message: `cannot run ${JSON.stringify(probe.command[0])}: ${(err as Error).message}` };
  }
}

export function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) return httpGet(probe.httpGet, target, timeoutMs);
  if (probe.tcpSocket) return tcpSocket(probe.tcpSocket, target, timeoutMs);
  if (probe.exec) return exec(probe.exec, target, timeoutMs);
  return Promise.resolve({ ok: false, message: "probe has no handler (httpGet, tcpSocket or exec)" });
}

export interface ProbedContainer {
  id: string;
  podUid: string;
  /** The verdicts last reported for this container (its pod status), kept across an agent restart instead of starting over. */
  wasReady?: boolean;
  wasStarted?: boolean;
  liveness?: Probe;
  readiness?: Probe;
  startup?: Probe;
  target: ProbeTarget;
}

interface Worker {
  kind: ProbeKind;
  probe: Probe;
  state: ProbeState;
  timer?: ReturnType<typeof setTimeout>;
}

interface Entry {
  c: ProbedContainer;
  workers: Map<ProbeKind, Worker>;
  stopped: boolean;
}

export class ProbeManager {
  private readonly entries = new Map<string, Entry>();

  /** `onChange(podUid, containerId, kind, state)` runs when a probe's verdict flips. */
  constructor(private readonly onChange: (podUid: string, containerId: string, kind: ProbeKind, state: ProbeState) => void) {}

  /** Start probing a running container (idempotent). */
  ensure(c: ProbedContainer): void {
    if (this.entries.has(c.id)) return;
    const entry: Entry = { c, workers: new Map(), stopped: false };
    this.entries.set(c.id, entry);
    for (const kind of ["startup", "liveness", "readiness"] as const) {
      const probe = c[kind];
      if (!probe) continue;
      const state = initialProbeState(kind);
      if (kind === "readiness" && c.wasReady) state.ok = true;
      if (kind === "startup" && c.wasStarted) state.ok = true;
      const worker: Worker = { kind, probe, state };
      entry.workers.set(kind, worker);
      this.schedule(entry, worker, Math.max(0, probe.initialDelaySeconds ?? 0) * 1000);
    }
  }

  private schedule(entry: Entry, w: Worker, delayMs: number): void {
    if (entry.stopped) return;
    w.timer = setTimeout(() => void this.tick(entry, w), delayMs);
    w.timer.unref?.();
  }

  private async tick(entry: Entry, w: Worker): Promise<void> {
    const periodMs = Math.max(1, w.probe.periodSeconds ?? 10) * 1000;
    const startup = entry.workers.get("startup");
    // Liveness and readiness wait until the startup probe has succeeded.
    if (w.kind !== "startup" && startup && !startup.state.ok) return this.schedule(entry, w, Math.min(periodMs, 1000));
    const result = await runProbe(w.probe, entry.c.target);
    if (entry.stopped) return;
    const before = w.state.ok;
    w.state = nextProbeState(w.state, result.ok, w.probe, w.kind, result.message);
    if (before !== w.state.ok) {
      log.info("probe verdict changed", { container: entry.c.id, probe: w.kind, ok: w.state.ok, message: w.state.message });
      this.onChange(entry.c.podUid, entry.c.id, w.kind, w.state);
    }
    // A startup probe stops once it succeeded; a failed one stops too (the container is restarted).
    if (w.kind === "startup" && (w.state.ok || !w.state.ok && w.state.failures >= (w.probe.failureThreshold ?? 3))) return;
    this.schedule(entry, w, periodMs);
  }

  view(id: string): ProbeView | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const startup = e.workers.get("startup");
    const liveness = e.workers.get("liveness");
    const readiness = e.workers.get("readiness");
    const started = startup ? startup.state.ok : true;
    const startupFailed = startup !== undefined && !startup.state.ok && startup.state.failures >= Math.max(1, startup.probe.failureThreshold ?? 3);
    return {
      healthy: !startupFailed && (liveness ? liveness.state.ok : true),
      started,
      ready: started && (readiness ? readiness.state.ok : true),
    };
  }

  /** The last failure message of a container's probe (for events). */
  message(id: string, kind: ProbeKind): string | undefined {
    return this.entries.get(id)?.workers.get(kind)?.state.message;
  }

  forget(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.stopped = true;
    for (const w of e.workers.values()) clearTimeout(w.timer);
    this.entries.delete(id);
  }

  /** Drop every container not in `live`. */
  retain(live: Set<string>): void {
    for (const id of [...this.entries.keys()]) if (!live.has(id)) this.forget(id);
  }

  close(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }
}
