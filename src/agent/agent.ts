// The agent: joins (or reuses its stored credential), adopts the containers its
// previous run left, serves its HTTPS port (logs), registers its Node, renews
// its Lease and runs the kubelet. Nothing here waits for the API server to be
// up: a restarted agent keeps its pods running while the server is away.
import { mkdirSync } from "node:fs";
import { hostname, networkInterfaces } from "node:os";
import { join as joinPath } from "node:path";
import type { Node, Taint } from "../api/types.ts";
import { ApiClient, type FetchFn } from "../client/api-client.ts";
import type { Client } from "../client/client.ts";
import { logger } from "../util/log.ts";
import type { BackoffConfig } from "./backoff.ts";
import { join, JoinError, loadCredentials, saveCredentials, type AgentCredentials } from "./join.ts";
import { startLeaseRenewal } from "./lease.ts";
import { startLogServer, type LogServer } from "./log-server.ts";
import { Kubelet } from "./kubelet.ts";
import { registerNode, startNodeStatusLoop, type NodeConfig } from "./node-status.ts";
import type { PortRange } from "./ports.ts";
import { ProcessRuntime } from "./runtime/process.ts";

const log = logger("agent");

export interface AgentOptions {
  dataDir: string;
  /** https://HOST:6443 */
  server: string;
  /** The node token; not needed once the agent has joined (credentials are stored). */
  token?: string;
  nodeName?: string;
  nodeIP?: string;
  /** Address of the agent's HTTPS port (default 0.0.0.0). */
  bindAddress?: string;
  /** The HTTPS (kubelet) port; 0 picks a free one (reported in the Node's daemonEndpoints). */
  kubeletPort?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  cpu?: string;
  memory?: string;
  maxPods?: number;
  leaseDurationSeconds?: number;
  hostPortRange?: PortRange;
  backoff?: BackoffConfig;
  /** In-process transport (the embedded agent: the server's app.fetch): join and API calls go through it. */
  fetch?: FetchFn;
  /** Use this client for the API instead of one built from the node credential. */
  client?: Client;
  /** How often node conditions are checked / reported regardless of change (ms). */
  nodeStatusCheckMs?: number;
  nodeStatusReportMs?: number;
}

export interface RunningAgent {
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  kubelet: Kubelet;
  stop(): Promise<void>;
}

/** The host's first non-loopback IPv4 address, else 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

async function credentialsFor(opts: AgentOptions, nodeName: string, nodeIP: string): Promise<AgentCredentials> {
  const stored = loadCredentials(opts.dataDir, opts.server, nodeName);
  if (stored) return stored;
  if (!opts.token) throw new JoinError(`no stored credentials for node ${nodeName} in ${opts.dataDir}: pass --token (the server's DATA_DIR/node-token)`);
  const fetchFn = opts.fetch;
  const viaFetch = fetchFn ? (url: string, init: RequestInit) => Promise.resolve(fetchFn(new Request(url, init))) : undefined;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const creds = await join({ server: opts.server, token: opts.token, nodeName, nodeIP, ...(viaFetch ? { fetch: viaFetch } : {}) });
      saveCredentials(opts.dataDir, creds);
      log.info("joined the cluster", { server: opts.server, node: nodeName });
      return creds;
    } catch (err) {
      // Only an unreachable server is worth waiting for; a refusal is final.
      if (!(err instanceof JoinError) || !err.retryable) throw err;
      log.warn("server unreachable; retrying join", { server: opts.server, err: err.message });
      await Bun.sleep(delay);
    }
  }
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const nodeName = opts.nodeName ?? hostname();
  const nodeIP = opts.nodeIP ?? opts.bindAddress ?? defaultNodeIP();
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const creds = await credentialsFor(opts, nodeName, nodeIP);
  const client = opts.client ?? new ApiClient({ baseUrl: opts.server, token: creds.token, caPem: creds.caPem, ...(opts.fetch ? { fetch: opts.fetch } : {}), userAgent: `skiff-agent/${nodeName}` });

  const runtime = new ProcessRuntime({ stateDir: joinPath(opts.dataDir, "containers"), cgroupGroup: `skiff-${nodeName}` });
  await runtime.init();
  const kubelet = new Kubelet({
    client,
    runtime,
    nodeName,
    nodeIP,
    dataDir: opts.dataDir,
    ...(opts.hostPortRange ? { portRange: opts.hostPortRange } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });

  const serveLogs = (port: number) =>
    startLogServer({
      hostname: opts.bindAddress ?? "0.0.0.0",
      port,
      certPem: creds.certPem,
      keyPem: creds.keyPem,
      token: creds.token,
      resolve: (ns, pod, c, prev) => kubelet.resolveLog(ns, pod, c, prev),
      clock: kubelet.clock,
    });
  let logServer: LogServer;
  try {
    logServer = serveLogs(opts.kubeletPort ?? 10250);
  } catch (err) {
    // The default port may be taken (another agent on this host): any free port will do, it is reported in the Node.
    if (opts.kubeletPort !== undefined) {
      runtime.close();
      throw new Error(`cannot listen on ${opts.bindAddress ?? "0.0.0.0"}:${opts.kubeletPort}: ${(err as Error).message}`);
    }
    log.warn("kubelet port 10250 is taken; using a free one", { err });
    logServer = serveLogs(0);
  }

  const cfg: NodeConfig = {
    nodeName,
    nodeIP,
    labels: opts.labels ?? {},
    taints: opts.taints ?? [],
    ...(opts.cpu ? { cpu: opts.cpu } : {}),
    ...(opts.memory ? { memory: opts.memory } : {}),
    maxPods: opts.maxPods ?? 110,
    kubeletPort: logServer.port,
    runtime: runtime.name,
  };
  kubelet.start();

  const leaseSeconds = opts.leaseDurationSeconds ?? 40;
  let lease: { stop(): void } | undefined;
  let statusLoop: { stop(): void } | undefined;
  let stopped = false;
  // Register in the background: the server may be down right now.
  const registration = (async () => {
    for (let delay = 250; !stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        const node: Node = await registerNode(client, cfg, opts.dataDir);
        if (stopped) return;
        lease = startLeaseRenewal(client, nodeName, leaseSeconds, node.metadata.uid);
        statusLoop = startNodeStatusLoop(client, cfg, opts.dataDir, { checkMs: opts.nodeStatusCheckMs, reportMs: opts.nodeStatusReportMs });
        return;
      } catch (err) {
        log.warn("node registration failed; retrying", { node: nodeName, err });
        await Bun.sleep(delay);
      }
    }
  })();

  log.info("agent started", { node: nodeName, nodeIP, kubeletPort: logServer.port, dataDir: opts.dataDir });
  return {
    nodeName,
    nodeIP,
    kubeletPort: logServer.port,
    kubelet,
    stop: async () => {
      stopped = true;
      void registration;
      lease?.stop();
      statusLoop?.stop();
      kubelet.stop();
      logServer.stop();
      runtime.close();
      log.info("agent stopped (its pods keep running)", { node: nodeName });
    },
  };
}
