// skiff server: the control plane — API server (HTTPS), SQLite store,
// scheduler, controllers and, unless disabled, an embedded agent — like
// `k3s server`. SIGTERM/SIGINT stop it gracefully (components, watches, store).
import type { Argv, CommandModule } from "yargs";
import { parseDuration } from "../api/duration.ts";
import { startServer, defaultDataDir, type ServerOptions } from "../server/server.ts";
import { parseCidr } from "../server/service-alloc.ts";
import { runDaemon } from "./args.ts";

export interface ServerArgs {
  "data-dir"?: string;
  "bind-address": string;
  port: number;
  "tls-san"?: string[];
  sync: string;
  "disable-scheduler": boolean;
  "disable-agent": boolean;
  controllers?: string[];
  "node-monitor-grace-period": string;
  "default-unreachable-toleration-seconds": number;
  "bookmark-interval-seconds": number;
  "service-cidr": string;
}

/** ServerOptions from the flags; throws with a clear message on bad input. */
export function serverOptions(a: ServerArgs): ServerOptions {
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new Error(`--port must be an integer 0-65535, got ${a.port}`);
  if (a.sync !== "full" && a.sync !== "normal") throw new Error(`--sync must be "full" or "normal", got ${JSON.stringify(a.sync)}`);
  if (!(a["bookmark-interval-seconds"] > 0)) throw new Error("--bookmark-interval-seconds must be positive");
  const grace = parseDuration(a["node-monitor-grace-period"] ?? "40s");
  if (!(grace > 0)) throw new Error(`--node-monitor-grace-period must be positive, got ${JSON.stringify(a["node-monitor-grace-period"])}`);
  const toleration = a["default-unreachable-toleration-seconds"] ?? 60;
  if (!Number.isInteger(toleration) || toleration < 0) throw new Error(`--default-unreachable-toleration-seconds must be a non-negative integer, got ${toleration}`);
  return {
    dataDir: a["data-dir"] ?? defaultDataDir(),
    bindAddress: a["bind-address"],
    port: a.port,
    tlsSans: (a["tls-san"] ?? []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean),
    sync: a.sync,
    disableScheduler: a["disable-scheduler"],
    disableAgent: a["disable-agent"],
    ...(a.controllers !== undefined ? { controllers: a.controllers.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean) } : {}),
    nodeMonitorGracePeriodMs: grace,
    defaultUnreachableTolerationSeconds: toleration,
    bookmarkIntervalSeconds: a["bookmark-interval-seconds"],
    serviceCidr: parseCidr(a["service-cidr"]).text,
  };
}

async function server(a: ServerArgs): Promise<void> {
  await runDaemon("server", () => startServer(serverOptions(a)), (running) => {
    // The URL on stdout (one line) lets scripts and tests find a --port 0 server.
    process.stdout.write(`${running.url}\n`);
  });
}

export const serverCommand: CommandModule<object, ServerArgs> = {
  command: "server",
  describe: "Run the control plane: API server, store, scheduler, controllers (and an embedded agent)",
  builder: (y: Argv) =>
    y
      .option("data-dir", { type: "string", describe: "State, certificates and tokens (default /var/lib/skiff as root, ~/.skiff otherwise)" })
      .option("bind-address", { type: "string", default: "0.0.0.0", describe: "Address the API server listens on" })
      .option("port", { type: "number", default: 6443, describe: "HTTPS port of the API server; 0 picks a free one" })
      .option("tls-san", { type: "string", array: true, describe: "Extra host name or IP for the serving certificate (repeatable)" })
      .option("sync", { type: "string", default: "full", choices: ["full", "normal"], describe: "Store durability: full fsyncs every commit group; normal survives process crashes only" })
      .option("disable-scheduler", { type: "boolean", default: false, describe: "Do not run the scheduler" })
      .option("disable-agent", { type: "boolean", default: false, describe: "Do not run the embedded agent (this host is not a node)" })
      .option("controllers", { type: "string", array: true, describe: 'Controllers to run: "*" (default), "name", "-name"; "" runs none' })
      .option("node-monitor-grace-period", { type: "string", default: "40s", describe: "A node whose lease is not renewed for this long is marked Ready=Unknown and tainted unreachable (e.g. 40s, 2m)" })
      .option("default-unreachable-toleration-seconds", { type: "number", default: 60, describe: "Seconds pods without their own toleration stay on an unreachable or not-ready node before eviction" })
      .option("service-cidr", { type: "string", default: "10.43.0.0/16", describe: "IPv4 range Service ClusterIPs are allocated from" })
      .option("bookmark-interval-seconds", { type: "number", default: 15, describe: "Seconds between BOOKMARK events on watches" }) as unknown as Argv<ServerArgs>,
  handler: server,
};
