// Kubeconfig files: the server writes one for its admin (usable by skiff and by
// kubectl), and every client finds its credentials through one.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { ApiError } from "../api/errors.ts";

export interface KubeconfigInput {
  server: string;
  caPem: string;
  token: string;
  /** Name of the cluster, user and context entries. */
  name?: string;
}

/** What a client needs to reach the API server. */
export interface ClientCredentials {
  server: string;
  /** PEM of the CA that signs the server's certificate; undefined: system roots. */
  caPem?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** The file these came from (for messages). */
  path: string;
}

export function buildKubeconfig({ server, caPem, token, name = "skiff" }: KubeconfigInput): string {
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
  };
  return Bun.YAML.stringify(config, null, 2) + "\n";
}

export const systemKubeconfigPath = "/var/lib/skiff/admin.kubeconfig";

/** Where to look, in order: --kubeconfig, $KUBECONFIG (first entry), the server's admin kubeconfig, ~/.skiff, ~/.kube/config. */
export function kubeconfigCandidates(explicit?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [explicit];
  const fromEnv = env.KUBECONFIG?.split(":").find((p) => p !== "");
  if (fromEnv) return [fromEnv];
  const home = env.HOME || homedir();
  return [systemKubeconfigPath, join(home, ".skiff", "admin.kubeconfig"), join(home, ".kube", "config")];
}

function readable(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

export function loadKubeconfig(pathOrOpts?: string | { path?: string; env?: NodeJS.ProcessEnv }): ClientCredentials {
  const opts = typeof pathOrOpts === "string" ? { path: pathOrOpts } : (pathOrOpts ?? {});
  const candidates = kubeconfigCandidates(opts.path, opts.env);
  const explicit = Boolean(opts.path) || candidates.length === 1;
  const path = explicit ? candidates[0] : candidates.find(readable);
  if (!path || (explicit && !existsSync(path))) {
    const where = path ?? candidates.join(", ");
    throw new ApiError(400, "BadRequest", `no kubeconfig found (looked at ${where}); pass --kubeconfig or set KUBECONFIG`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw ApiError.badRequest(`cannot read kubeconfig ${path}: ${(err as Error).message}`);
  }
  return parseKubeconfig(text, path);
}

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeconfigCluster {
  server?: string;
  "certificate-authority-data"?: string;
  "certificate-authority"?: string;
  "insecure-skip-tls-verify"?: boolean;
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
}

interface KubeconfigContext {
  cluster?: string;
  user?: string;
}

interface KubeconfigFile {
  clusters?: NamedEntry<KubeconfigCluster>[];
  users?: NamedEntry<KubeconfigUser>[];
  contexts?: NamedEntry<KubeconfigContext>[];
  "current-context"?: string;
}

/** Resolve the current context of a kubeconfig document. `path` is used for messages and relative file references. */
export function parseKubeconfig(text: string, path: string): ClientCredentials {
  const bad = (why: string) => ApiError.badRequest(`invalid kubeconfig ${path}: ${why}`);
  let doc: unknown;
  try {
    doc = Bun.YAML.parse(text);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (Array.isArray(doc)) doc = doc[0];
  if (!doc || typeof doc !== "object") throw bad("not a YAML mapping");
  const config = doc as KubeconfigFile;
  const contextName = config["current-context"] || config.contexts?.[0]?.name;
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw bad(`context ${JSON.stringify(contextName ?? "")} not found`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw bad(`cluster ${JSON.stringify(context.cluster ?? "")} has no server`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  const resolve = (file: string) => (isAbsolute(file) ? file : join(dirname(path), file));
  const readRef = (file: string, what: string) => {
    try {
      return readFileSync(resolve(file), "utf8");
    } catch (err) {
      throw bad(`cannot read ${what} ${file}: ${(err as Error).message}`);
    }
  };

  const creds: ClientCredentials = { server: cluster.server.replace(/\/+$/, ""), path };
  if (cluster["certificate-authority-data"]) creds.caPem = Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8");
  else if (cluster["certificate-authority"]) creds.caPem = readRef(cluster["certificate-authority"], "certificate-authority");
  if (cluster["insecure-skip-tls-verify"]) creds.insecureSkipTlsVerify = true;
  if (user.token) creds.token = user.token;
  else if (user.tokenFile) creds.token = readRef(user.tokenFile, "tokenFile").trim();
  return creds;
}
