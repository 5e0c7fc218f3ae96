// The agent's HTTPS port (the kubelet port, 10250 by default). The API server
// proxies `pods/{name}/log` here: GET /containerLogs/{ns}/{pod}/{container}
// with `Authorization: Bearer <the node's credential>`; nobody else may read.
import { timingSafeEqual } from "node:crypto";
import type { Status } from "../api/types.ts";
import { logger } from "../util/log.ts";
import { followLog, readLog, type LogClock } from "./logs.ts";

const log = logger("agent/log-server");

export interface LogSource {
  path: string;
  /** True once the container has exited (a follow ends after the last bytes). */
  done: () => boolean;
}

export interface LogServerOptions {
  hostname: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** The bearer token callers must present. */
  token: string;
  /** Find a container's current (or previous) log; an error message when there is none. */
  resolve: (namespace: string, pod: string, container: string | undefined, previous: boolean) => LogSource | string;
  clock?: LogClock;
  rotatedFiles?: number;
}

export interface LogServer {
  port: number;
  stop(): void;
}

function status(code: number, reason: string, message: string): Response {
  const body: Status = { apiVersion: "v1", kind: "Status", metadata: {}, status: "Failure", reason, message, code };
  return Response.json(body, { status: code });
}

function authorized(header: string | null, token: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice(7));
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export function handleLogRequest(req: Request, opts: Omit<LogServerOptions, "hostname" | "port" | "certPem" | "keyPem">): Response {
  const url = new URL(req.url);
  if (url.pathname === "/healthz") return new Response("ok");
  if (!authorized(req.headers.get("authorization"), opts.token)) return status(401, "Unauthorized", "Unauthorized");
  const m = /^\/containerLogs\/([^/]+)\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (req.method !== "GET" || !m) return status(404, "NotFound", `no such path ${url.pathname}`);
  const [ns, pod, container] = [m[1]!, m[2]!, m[3]].map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
  const q = url.searchParams;
  const previous = q.get("previous") === "true";
  const source = opts.resolve(ns!, pod!, container, previous);
  if (typeof source === "string") return status(previous ? 400 : 404, previous ? "BadRequest" : "NotFound", source);
  const tail = q.get("tailLines");
  const tailLines = tail === null || tail === "" ? undefined : Number(tail);
  if (tailLines !== undefined && (!Number.isInteger(tailLines) || tailLines < 0)) return status(400, "BadRequest", `invalid tailLines ${JSON.stringify(tail)}`);
  const since = q.get("sinceSeconds");
  const sinceSeconds = since === null || since === "" ? undefined : Number(since);
  if (sinceSeconds !== undefined && !(sinceSeconds >= 0)) return status(400, "BadRequest", `invalid sinceSeconds ${JSON.stringify(since)}`);
  const limit = q.get("limitBytes");
  const limitBytes = limit === null || limit === "" ? undefined : Number(limit);
  if (limitBytes !== undefined && (!Number.isInteger(limitBytes) || limitBytes < 1)) return status(400, "BadRequest", `invalid limitBytes ${JSON.stringify(limit)}`);
  const readOpts = {
    tailLines,
    timestamps: q.get("timestamps") === "true",
    maxFiles: opts.rotatedFiles ?? 1,
    ...(sinceSeconds !== undefined ? { sinceMs: Date.now() - sinceSeconds * 1000 } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
  const headers = { "Content-Type": "text/plain; charset=utf-8" };
  if (q.get("follow") === "true" && !previous) return new Response(followLog(source.path, { ...readOpts, done: source.done, signal: req.signal }, opts.clock), { headers });
  return new Response(readLog(source.path, readOpts, opts.clock).text, { headers });
}

export function startLogServer(opts: LogServerOptions): LogServer {
  const server = Bun.serve({
    hostname: opts.hostname,
    port: opts.port,
    tls: { cert: opts.certPem, key: opts.keyPem },
    // Followed logs are long-lived: no idle timeout on them.
    idleTimeout: 0,
    fetch: (req) => {
      try {
        return handleLogRequest(req, opts);
      } catch (err) {
        log.error("log request failed", { err });
        return status(500, "InternalError", (err as Error).message);
      }
    },
  });
  return { port: server.port ?? opts.port, stop: () => void server.stop(true) };
}
