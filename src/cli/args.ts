// Flags shared by the client verbs, how they become an ApiClient, and how a
// verb's failure becomes one line on stderr and a non-zero exit, like kubectl.
import type { Argv } from "yargs";
import { ApiError } from "../api/errors.ts";
import { ApiClient, cameFromServer } from "../client/api-client.ts";
import { loadKubeconfig } from "../client/kubeconfig.ts";
import { logger } from "../util/log.ts";

export interface ConnectionArgs {
  kubeconfig?: string;
  server?: string;
  token?: string;
  "insecure-skip-tls-verify"?: boolean;
}

export type DryRun = "none" | "client" | "server";

export interface DryRunArgs {
  "dry-run"?: string;
}

export function withDryRun<T>(y: Argv<T>): Argv<T & DryRunArgs> {
  return y.option("dry-run", { type: "string", describe: "client: only print what would be sent; server: let the server validate without storing; none (default)" });
}

/** --dry-run, with kubectl's bare "--dry-run" meaning client. */
export function dryRunFrom(argv: DryRunArgs): DryRun {
  const v = argv["dry-run"];
  if (v === undefined || v === "none" || v === "false") return "none";
  if (v === "" || v === "client" || v === "true") return "client";
  if (v === "server") return "server";
  throw ApiError.badRequest(`invalid --dry-run "${v}": must be none, client or server`);
}

/** What kubectl appends to a result line: " (dry run)", " (server dry run)". */
export function dryRunSuffix(mode: DryRun): string {
  return mode === "client" ? " (dry run)" : mode === "server" ? " (server dry run)" : "";
}

export interface NamespaceArgs {
  namespace?: string;
  "all-namespaces"?: boolean;
}

export interface SelectorArgs {
  selector?: string;
  "field-selector"?: string;
}

export function withConnection<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return y
    .option("kubeconfig", { type: "string", describe: "Path to the kubeconfig file (default: $KUBECONFIG, /var/lib/skiff/admin.kubeconfig, ~/.skiff/admin.kubeconfig, ~/.kube/config)" })
    .option("server", { alias: "s", type: "string", describe: "The address of the API server (overrides the kubeconfig)" })
    .option("token", { type: "string", describe: "Bearer token for the API server (overrides the kubeconfig)" })
    .option("insecure-skip-tls-verify", { type: "boolean", describe: "Do not verify the server's certificate (insecure)" });
}

export function withNamespace<T>(y: Argv<T>, allNamespaces = true): Argv<T & NamespaceArgs> {
  const withNs = y.option("namespace", { alias: "n", type: "string", describe: "The namespace (default: default)" });
  if (!allNamespaces) return withNs;
  return withNs.option("all-namespaces", { alias: "A", type: "boolean", describe: "Across all namespaces" });
}

export function withSelectors<T>(y: Argv<T>): Argv<T & SelectorArgs> {
  return y
    .option("selector", { alias: "l", type: "string", describe: "Label selector, e.g. app=web,tier!=db,env in (a,b)" })
    .option("field-selector", { type: "string", describe: "Field selector, e.g. status.phase=Running,spec.nodeName=n1" });
}

export function withFilenames<T>(y: Argv<T>): Argv<T & { filename?: string[] }> {
  return y.option("filename", { alias: "f", type: "string", array: true, describe: "A manifest file, a directory of them, or - for stdin (repeatable)" });
}

/** The ApiClient for the flags: kubeconfig first, then --server/--token overrides. */
export function clientFromArgs(argv: ConnectionArgs & DryRunArgs): ApiClient {
  const flagsOnly = argv.server && argv.token && !argv.kubeconfig;
  const creds = flagsOnly ? { server: argv.server!, token: argv.token } : loadKubeconfig(argv.kubeconfig);
  const caPem = "caPem" in creds ? creds.caPem : undefined;
  const skipTls = argv["insecure-skip-tls-verify"] ?? ("insecureSkipTlsVerify" in creds ? creds.insecureSkipTlsVerify : undefined);
  return new ApiClient({
    baseUrl: argv.server ?? creds.server,
    token: argv.token ?? creds.token,
    caPem,
    insecureSkipTlsVerify: skipTls,
    userAgent: "skiff-cli",
    dryRun: dryRunFrom(argv) === "server",
  });
}

export const defaultNamespace = "default";

/** The namespace a verb works in: -n, else "default". */
export function namespaceFrom(argv: NamespaceArgs): string {
  return argv.namespace || defaultNamespace;
}

/** One line for a failure, phrased like kubectl's; `doing` says which object it was about ('error when creating "web.yaml"'). */
export function formatError(err: unknown, doing?: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const body = doing ? `${doing}: ${message}` : message;
  if (err instanceof ApiError && cameFromServer(err)) return `Error from server (${err.reason}): ${body}`;
  return `error: ${body}`;
}

/** Wrap a verb: expected failures print one line and set a non-zero exit code; no stack traces. */
export function run<A>(verb: (argv: A) => Promise<number | void>): (argv: A) => Promise<void> {
  return async (argv: A) => {
    try {
      const code = await verb(argv);
      if (code) process.exitCode = code;
    } catch (err) {
      process.stderr.write(formatError(err) + "\n");
      if (process.env.SKIFF_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
      process.exitCode = 1;
    }
  };
}

/**
 * Run a long-lived verb (server, agent): start it, or print one line and exit 1
 * when it cannot start; stop it on SIGTERM/SIGINT and exit 0. The process stays
 * alive until then even when everything it runs is unref'd (the agent's timers).
 */
export async function runDaemon<D extends { stop(): Promise<void> | void }>(component: string, start: () => Promise<D>, onStarted?: (daemon: D) => void): Promise<void> {
  let daemon: D;
  try {
    daemon = await start();
  } catch (e) {
    process.stderr.write(formatError(e) + "\n");
    process.exit(1);
  }
  onStarted?.(daemon);
  const stop = async (signal: string) => {
    logger(component).info("stopping", { signal });
    await daemon.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  setInterval(() => {}, 1 << 30);
}

/** Write to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith("\n") || text === "" ? text : text + "\n");
}

/** Write one line to stderr (errors, "No resources found"). */
export function err(text: string): void {
  process.stderr.write(text + "\n");
}

/** yargs reads a lone "-" as a positional; `-f -` (stdin) must stay the value of -f. */
export function normalizeArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    const prev = out[out.length - 1];
    if (a === "-" && (prev === "-f" || prev === "--filename")) out[out.length - 1] = "--filename=-";
    else out.push(a);
  }
  return out;
}

/** The server could not be reached at all: no point trying the next object. */
export function isUnreachable(e: unknown): boolean {
  return e instanceof ApiError && e.code === 503 && !cameFromServer(e);
}
