// The Runtime interface: what the kubelet needs from whatever runs containers.
// The kubelet only speaks this interface, so a Docker/Podman or OCI runtime can
// be added next to the process runtime without touching the kubelet.
//
// A runtime container is one *attempt* of one pod container: a restart is a new
// runtime container with attempt + 1. The runtime persists what it started, so
// that a restarted agent finds (adopts) live containers with their attempts.

export interface ResourceLimits {
  memoryBytes?: number;
  cpuMillis?: number;
}

export interface ContainerConfig {
  podUid: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  /** 0 for the first run; the container's restart count. */
  attempt: number;
  /** Init containers are kept apart so that their names cannot clash with app containers. */
  init: boolean;
  /** Already expanded: command + args. */
  argv: string[];
  env: Record<string, string>;
  workingDir: string;
  limits: ResourceLimits;
  /** Where stdout and stderr go (one file, appended). */
  logPath: string;
}

export type TerminationReason = "Completed" | "Error" | "OOMKilled" | "ContainerStatusUnknown" | "StartError";

export interface ContainerExit {
  exitCode: number;
  /** Signal number when the process died of a signal. */
  signal?: number;
  reason: TerminationReason;
  message?: string;
  finishedAt: string;
}

export interface RuntimeContainer {
  /** Unique across the runtime, e.g. "process://<podUid>/<name>/<attempt>". */
  id: string;
  podUid: string;
  podNamespace: string;
  podName: string;
  containerName: string;
  attempt: number;
  init: boolean;
  pid?: number;
  startedAt: string;
  logPath: string;
  /** Absent while running. */
  exit?: ContainerExit;
}

export interface Runtime {
  readonly name: string;
  /** Load persisted state and adopt what still runs; call once before anything else. */
  init(): Promise<void>;
  /** Start one attempt. A start failure (no such executable, …) is returned as an exited container with reason StartError. */
  start(config: ContainerConfig): Promise<RuntimeContainer>;
  /** Every container this runtime knows, running or exited (until removed). */
  list(): RuntimeContainer[];
  /** SIGTERM (or the runtime's equivalent) to the whole container, SIGKILL after graceMs; resolves once it is gone. */
  stop(id: string, graceMs: number): Promise<void>;
  /** Forget an exited container (its record; logs are the kubelet's business). */
  remove(id: string): Promise<void>;
  /** Called whenever a container exits, so the kubelet can react at once instead of at its next tick. */
  onExit(listener: (c: RuntimeContainer) => void): void;
  /** Stop watching (not the containers: they outlive the agent). */
  close(): void;
}
