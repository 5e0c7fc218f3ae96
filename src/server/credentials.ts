// The server's secrets, persisted in the data dir with mode 0600:
//   admin-token            bearer token of the admin kubeconfig
//   node-token             "K10<sha256 of the CA PEM>::node:<secret>", what agents join with (k3s style)
//   node-credentials.json  per-node bearer tokens issued at join, { nodeName: token }
// Tokens are compared in constant time (admin, join secret) or looked up by
// their SHA-256 (node credentials), never logged.
import { timingSafeEqual, createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nanoid } from "nanoid";
import { adminIdentity, nodeIdentity, type Identity } from "./auth.ts";

function writeSecret(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readOrCreate(path: string, make: () => string): string {
  if (existsSync(path)) {
    const text = readFileSync(path, "utf8").trim();
    if (text) return text;
  }
  const value = make();
  writeSecret(path, value + "\n");
  return value;
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export class Credentials {
  readonly adminToken: string;
  /** The full node token agents are given. */
  readonly nodeToken: string;
  /** "node:<secret>": what an agent presents as its bearer token to /skiff/v1/join. */
  readonly joinToken: string;
  private readonly nodeTokens: Record<string, string>;
  private readonly byHash = new Map<string, string>();

  private constructor(private readonly dir: string, caHashHex: string) {
    this.adminToken = readOrCreate(join(dir, "admin-token"), () => nanoid(48));
    const wanted = (secret: string) => `K10${caHashHex}::node:${secret}`;
    let nodeToken = readOrCreate(join(dir, "node-token"), () => wanted(nanoid(32)));
    const secret = /::node:(.+)$/.exec(nodeToken)?.[1] ?? nanoid(32);
    // A regenerated CA changes the pin; keep the secret, fix the hash.
    if (nodeToken !== wanted(secret)) {
      nodeToken = wanted(secret);
      writeSecret(join(dir, "node-token"), nodeToken + "\n");
    }
    this.nodeToken = nodeToken;
    this.joinToken = `node:${secret}`;
    const path = join(dir, "node-credentials.json");
    this.nodeTokens = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, string>) : {};
    for (const [node, token] of Object.entries(this.nodeTokens)) this.byHash.set(sha256(token), node);
  }

  static load(dir: string, caHashHex: string): Credentials {
    return new Credentials(dir, caHashHex);
  }

  authenticate(token: string | undefined): Identity | undefined {
    if (!token) return undefined;
    if (sameSecret(token, this.adminToken)) return adminIdentity;
    const node = this.byHash.get(sha256(token));
    return node === undefined ? undefined : nodeIdentity(node);
  }

  isJoinToken(token: string | undefined): boolean {
    return token !== undefined && sameSecret(token, this.joinToken);
  }

  /** The node's credential, issued on its first join and kept across re-joins (agent restarts). */
  nodeCredential(nodeName: string): string {
    const existing = this.nodeTokens[nodeName];
    if (existing) return existing;
    const token = `node.${nanoid(48)}`;
    this.nodeTokens[nodeName] = token;
    this.byHash.set(sha256(token), nodeName);
    writeSecret(join(this.dir, "node-credentials.json"), JSON.stringify(this.nodeTokens, null, 2) + "\n");
    return token;
  }

  /** The credential issued to a node, if it joined (the server presents it to the kubelet when proxying logs). */
  issuedCredential(nodeName: string): string | undefined {
    return this.nodeTokens[nodeName];
  }
}
