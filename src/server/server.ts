// `skiff server` as a function: data dir, store, PKI, credentials, the hono
// app on Bun.serve (HTTPS), the in-process admin client, the bootstrap
// namespaces, then the components (scheduler, controllers, embedded agent).
import { mkdirSync, chmodSync, writeFileSync, renameSync } from "node:fs";
import { hostname, homedir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { isApiError } from "../api/errors.ts";
import { Leases, Namespaces, prefixFor } from "../api/registry.ts";
import type { Namespace } from "../api/types.ts";
import { ApiClient } from "../client/api-client.ts";
import { buildKubeconfig } from "../client/kubeconfig.ts";
import { openSqliteStore } from "../store/sqlite-store.ts";
import type { Store } from "../store/store.ts";
import { logger } from "../util/log.ts";
import { createApp, defaultServiceCidr, type AppEnv, type ServeEnv } from "./app.ts";
import { maxUnreadBodyBytes } from "./body.ts";
import { components, type ComponentHandle } from "./components.ts";
import { Credentials } from "./credentials.ts";
import { Metrics } from "./metrics.ts";
import { caHash, loadOrCreatePki } from "./pki.ts";
import { parseCidr } from "./service-alloc.ts";

const log = logger("server");

export interface ServerOptions {
  /** Default: /var/lib/skiff as root, ~/.skiff otherwise. */
  dataDir?: string;
  /** Default 0.0.0.0. */
  bindAddress?: string;
  /** Default 6443; 0 picks a free port. */
  port?: number;
  /** Extra names/IPs for the serving certificate. */
  tlsSans?: string[];
  /** Store durability (default "full"). */
  sync?: "full" | "normal";
  disableScheduler?: boolean;
  disableAgent?: boolean;
  /** Controllers to run, kube-controller-manager style ("*", "name", "-name"); [] runs none; absent: all. */
  controllers?: string[];
  /** Node lifecycle: a node whose lease is not renewed this long becomes Ready=Unknown (controller default 40s). */
  nodeMonitorGracePeriodMs?: number;
  /** Node lifecycle: tolerationSeconds for pods without an unreachable/not-ready toleration (controller default 60). */
  defaultUnreachableTolerationSeconds?: number;
  /** Seconds between BOOKMARK events on watches that allow them (default 15). */
  bookmarkIntervalSeconds?: number;
  /** IPv4 CIDR Service ClusterIPs are allocated from (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** Log revisions the store keeps for watch resumption (store default when absent). */
  compactKeep?: number;
  /** Seconds an HTTPS connection may sit idle before Bun closes it (Bun's default, 10, when absent); watches and other streams lift it. */
  idleTimeoutSeconds?: number;
  /** Pass-through options for components added later (agent flags, ...). */
  extra?: Record<string, unknown>;
}

export interface RunningServer {
  /** https://127.0.0.1:PORT (or the bind address when it is a specific one). */
  url: string;
  port: number;
  app: Hono<AppEnv>;
  store: Store;
  /** Admin client over app.fetch (no network). */
  client: ApiClient;
  dataDir: string;
  caPem: string;
  adminToken: string;
  /** K10<ca hash>::node:<secret>, what agents join with. */
  nodeToken: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? "/var/lib/skiff" : join(homedir(), ".skiff");
}

/** The URL clients should use: loopback when bound to all addresses or loopback. */
export function clientUrl(bindAddress: string, port: number): string {
  const host = bindAddress === "0.0.0.0" || bindAddress === "::" || bindAddress === "" || bindAddress === "127.0.0.1" ? "127.0.0.1" : bindAddress;
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export const bootstrapNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

async function ensureNamespaces(client: ApiClient): Promise<void> {
  for (const name of bootstrapNamespaces) {
    try {
      await client.create<Namespace>(Namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
      log.info("created namespace", { name });
    } catch (err) {
      if (!isApiError(err, "AlreadyExists")) throw err;
    }
  }
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const bindAddress = opts.bindAddress ?? "0.0.0.0";
  parseCidr(opts.serviceCidr ?? defaultServiceCidr); // bad flags fail before anything is opened
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);

  const sans = [hostname(), "localhost", "127.0.0.1", "::1", ...(bindAddress === "0.0.0.0" || bindAddress === "::" ? [] : [bindAddress]), ...(opts.tlsSans ?? [])];
  const pki = await loadOrCreatePki(join(dataDir, "tls"), sans);
  const credentials = Credentials.load(dataDir, await caHash(pki.ca.certPem));
  const store = openSqliteStore({
    path: join(dataDir, "state.db"),
    sync: opts.sync ?? "full",
    // Node leases are renewed every few seconds by every node: kept in memory, so an idle
    // cluster does not write to its flash storage (kubelets re-create them after a restart).
    volatilePrefixes: [prefixFor(Leases, "kube-node-lease")],
    ...(opts.compactKeep ? { compactKeep: opts.compactKeep } : {}),
  });
  const metrics = new Metrics();

  let url = "";
  const app = createApp({
    store,
    credentials,
    ca: pki.ca,
    metrics,
    serverAddress: () => new URL(url).host,
    bookmarkIntervalMs: (opts.bookmarkIntervalSeconds ?? 15) * 1000,
    serviceCidr: opts.serviceCidr,
  });

  let http: ReturnType<typeof Bun.serve>;
  try {
    http = Bun.serve({
      hostname: bindAddress,
      port: opts.port ?? 6443,
      tls: { cert: pki.serving.certPem, key: pki.serving.keyPem },
      // Far above the app's own 3 MiB limit, so that the app (which rejects on
      // Content-Length before reading, and counts chunked bodies as they stream)
      // answers oversize bodies with a Status instead of Bun's bare 413.
      maxRequestBodySize: maxUnreadBodyBytes,
      ...(opts.idleTimeoutSeconds === undefined ? {} : { idleTimeout: opts.idleTimeoutSeconds }),
      fetch: (req, server) => app.fetch(req, { server } satisfies ServeEnv),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const port = http.port!;
  url = clientUrl(bindAddress, port);

  const client = new ApiClient({ baseUrl: "http://in-process", token: credentials.adminToken, fetch: (req) => app.fetch(req), userAgent: "skiff-server/in-process" });
  const kubeconfigPath = join(dataDir, "admin.kubeconfig");
  writePrivate(kubeconfigPath, buildKubeconfig({ server: url, caPem: pki.ca.certPem, token: credentials.adminToken }));

  const handles: { name: string; handle: ComponentHandle }[] = [];
  let stopped: Promise<void> | undefined;
  const running: RunningServer = {
    url,
    port,
    app,
    store,
    client,
    dataDir,
    caPem: pki.ca.certPem,
    adminToken: credentials.adminToken,
    nodeToken: credentials.nodeToken,
    kubeconfigPath,
    stop: () => (stopped ??= stop()),
  };

  async function stop(): Promise<void> {
    log.info("stopping");
    for (const { name, handle } of handles.reverse()) {
      try {
        await handle.stop();
      } catch (err) {
        log.warn("component did not stop cleanly", { component: name, error: err });
      }
    }
    // Ending the store's watches first lets open watch streams finish cleanly.
    await store.close();
    await http.stop(true);
  }

  try {
    await ensureNamespaces(client);
    for (const c of components) {
      if (!c.enabled(opts)) continue;
      handles.push({ name: c.name, handle: await c.start(running, opts) });
      log.info("started component", { component: c.name });
    }
  } catch (err) {
    await running.stop();
    throw err;
  }
  log.info("API server listening", { url, bind: `${bindAddress}:${port}`, dataDir, kubeconfig: kubeconfigPath });
  return running;
}
