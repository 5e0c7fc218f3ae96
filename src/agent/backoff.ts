// Restart policy and CrashLoopBackOff, as the kubelet does it: the first restart
// is immediate, then the wait doubles from `baseMs` (10 s) up to `capMs` (5 min).
// A container that ran for `resetAfterMs` (10 min) before exiting starts over.
// Derived only from the container's last run, so it survives an agent restart.
import type { PodSpec } from "../api/types.ts";
import type { RuntimeContainer } from "./runtime/runtime.ts";

export interface BackoffConfig {
  baseMs: number;
  capMs: number;
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { baseMs: 10_000, capMs: 300_000, resetAfterMs: 600_000 };

/** The wait before restart number `restarts + 1`. */
export function backoffDelay(restarts: number, cfg: BackoffConfig): number {
  if (restarts <= 0) return 0;
  return Math.min(cfg.capMs, cfg.baseMs * 2 ** Math.min(restarts - 1, 30));
}

export type RestartDecision =
  | { kind: "none" }
  | { kind: "now" }
  | { kind: "later"; at: number; delayMs: number };

/** Whether and when an exited container runs again. */
export function restartDecision(
  last: RuntimeContainer,
  policy: PodSpec["restartPolicy"],
  init: boolean,
  now: number,
  cfg: BackoffConfig,
): RestartDecision {
  const exit = last.exit;
  if (!exit) return { kind: "none" };
  // Init containers never restart after success, whatever the pod's policy.
  const failed = exit.exitCode !== 0;
  const restart = init ? failed && policy !== "Never" : policy === "OnFailure" ? failed : (policy ?? "Always") === "Always";
  if (!restart) return { kind: "none" };
  const finished = Date.parse(exit.finishedAt);
  const ran = finished - Date.parse(last.startedAt);
  const delayMs = ran >= cfg.resetAfterMs ? 0 : backoffDelay(last.attempt, cfg);
  const at = finished + delayMs;
  return at <= now ? { kind: "now" } : { kind: "later", at, delayMs };
}
