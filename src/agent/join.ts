// Joining a cluster, k3s style. The node token `K10<sha256 of the CA PEM>::node:<secret>`
// pins the server's CA: the agent fetches /cacerts without trusting anything,
// refuses to go on unless the hash matches, and from then on talks TLS verified
// against that CA. It exchanges the token for a credential of its own (bound to
// its node name) plus a serving certificate for its HTTPS port, and keeps them
// in DATA/agent/credentials.json (mode 0600) so that a restart needs no token.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join as joinPath } from "node:path";

export interface NodeToken {
  /** sha256 hex of the CA certificate PEM. */
  caHash: string;
  /** What goes after "Bearer ": "node:<secret>". */
  bearer: string;
}

export class JoinError extends Error {
  /** True when the server could not be reached (worth retrying); a refusal or a wrong CA is final. */
  constructor(message: string, readonly retryable = false) {
    super(message);
    this.name = "JoinError";
  }
}

/**
 * sha256 hex of the CA PEM, the token's pin. The same as the server's
 * pki.caHash (a test keeps them equal); not imported from there because that
 * module loads the X.509 library, ~17 MB of RSS every agent would carry.
 */
export async function caPin(caPem: string): Promise<string> {
  return new Bun.CryptoHasher("sha256").update(caPem).digest("hex");
}

export function parseNodeToken(token: string): NodeToken {
  const m = /^K10([0-9a-f]{64})::(node:[^\s:]+)$/.exec(token.trim());
  if (!m) throw new JoinError("invalid node token: expected K10<sha256 hex of the CA>::node:<secret> (see DATA_DIR/node-token on the server)");
  return { caHash: m[1]!, bearer: m[2]! };
}

export interface AgentCredentials {
  server: string;
  nodeName: string;
  /** The node's own bearer token. */
  token: string;
  caPem: string;
  /** Serving certificate and key of the agent's HTTPS port, signed by the cluster CA. */
  certPem: string;
  keyPem: string;
}

type FetchLike = (url: string, init: RequestInit & { tls?: { rejectUnauthorized?: boolean; ca?: string } }) => Promise<Response>;

/** Fetch the CA (untrusted channel) and check it against the token's pin. */
export async function fetchPinnedCA(server: string, token: NodeToken, fetchFn: FetchLike = fetch): Promise<string> {
  let res: Response;
  try {
    res = await fetchFn(`${server}/cacerts`, { tls: { rejectUnauthorized: false }, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new JoinError(`cannot reach the server at ${server}: ${(err as Error).message}`, true);
  }
  if (!res.ok) throw new JoinError(`GET ${server}/cacerts answered HTTP ${res.status}`);
  const caPem = await res.text();
  if ((await caPin(caPem)) !== token.caHash) throw new JoinError(`the server's CA certificate does not match the token's hash: refusing to join ${server}`);
  return caPem;
}

export async function join(opts: { server: string; token: string; nodeName: string; nodeIP: string; fetch?: FetchLike }): Promise<AgentCredentials> {
  const server = opts.server.replace(/\/+$/, "");
  const token = parseNodeToken(opts.token);
  const fetchFn = opts.fetch ?? fetch;
  const caPem = await fetchPinnedCA(server, token, fetchFn);
  let res: Response;
  try {
    res = await fetchFn(`${server}/skiff/v1/join`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token.bearer}`, "Content-Type": "application/json" },
      body: JSON.stringify({ nodeName: opts.nodeName, nodeIP: opts.nodeIP }),
      tls: { ca: caPem },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new JoinError(`join request to ${server} failed: ${(err as Error).message}`, true);
  }
  if (!res.ok) {
    const body = await res.text().catch(() => "");
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // plain text
    }
    throw new JoinError(`the server refused to join node ${opts.nodeName} (HTTP ${res.status}${message ? `: ${message}` : ""})`);
  }
  const body = (await res.json()) as { token?: string; certPem?: string; keyPem?: string };
  if (!body.token || !body.certPem || !body.keyPem) throw new JoinError("the server's join answer lacks token, certPem or keyPem");
  return { server, nodeName: opts.nodeName, token: body.token, caPem, certPem: body.certPem, keyPem: body.keyPem };
}

function credentialsPath(dataDir: string): string {
  return joinPath(dataDir, "agent", "credentials.json");
}

export function saveCredentials(dataDir: string, creds: AgentCredentials): void {
  const dir = joinPath(dataDir, "agent");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(dataDir);
  writeFileSync(path, JSON.stringify(creds, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Stored credentials for this server and node name, if any. */
export function loadCredentials(dataDir: string, server: string, nodeName: string): AgentCredentials | undefined {
  const path = credentialsPath(dataDir);
  if (!existsSync(path)) return undefined;
  const creds = JSON.parse(readFileSync(path, "utf8")) as AgentCredentials;
  return creds.server === server.replace(/\/+$/, "") && creds.nodeName === nodeName ? creds : undefined;
}
