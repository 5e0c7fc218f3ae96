// The hono app: public endpoints (health, version, CA, join), authentication,
// discovery, and the one generic resource handler for /api and /apis. The
// same app serves HTTPS (Bun.serve) and the in-process client (app.fetch).
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../api/errors.ts";
import { qualifiedResource } from "../api/resource-type.ts";
import type { Store } from "../store/store.ts";
import { logger } from "../util/log.ts";
import { bearerToken, type Identity } from "./auth.ts";
import { maxBodyBytes } from "./body.ts";
import type { Credentials } from "./credentials.ts";
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from "./discovery.ts";
import { handleJoin } from "./join.ts";
import { openApiGroupVersion, openApiRoot } from "./openapi.ts";
import { podLogProxy } from "./logs.ts";
import type { Metrics } from "./metrics.ts";
import type { CertificateAuthority } from "./pki.ts";
import { parseRequestInfo } from "./request-info.ts";
import { handleResource } from "./rest.ts";
import { parseCidr, ServiceAllocator } from "./service-alloc.ts";
import { encode, statusResponse, toApiError } from "./status.ts";

const log = logger("apiserver");

export interface AppOptions {
  store: Store;
  credentials: Credentials;
  ca: CertificateAuthority;
  metrics: Metrics;
  /** host:port clients reach the server at (for /api's serverAddressByClientCIDRs). */
  serverAddress: () => string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (default 15 s). */
  bookmarkIntervalMs?: number;
  version?: string;
  /** Where Service ClusterIPs come from (default 10.43.0.0/16). */
  serviceCidr?: string;
}

export const defaultServiceCidr = "10.43.0.0/16";

/** What Bun.serve hands to app.fetch as env: the server, to lift the idle timeout of long-lived streams. */
export interface ServeEnv {
  server?: { timeout(req: Request, seconds: number): void };
}

export type AppEnv = { Bindings: ServeEnv; Variables: { identity: Identity; verb: string; resource: string } };

const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version", "/cacerts", "/skiff/v1/join"]);

export function createApp(opts: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { store, metrics } = opts;
  const services = new ServiceAllocator(store, parseCidr(opts.serviceCidr ?? defaultServiceCidr));
  const podLogs = podLogProxy({ store, caPem: opts.ca.certPem, credentialFor: (n) => opts.credentials.issuedCredential(n) });

  app.onError((err, c) => {
    const apiErr = toApiError(err, `${c.req.method} ${c.req.path}`);
    return statusResponse(apiErr, c.req.header("accept"));
  });
  app.notFound((c) => statusResponse(new ApiError(404, "NotFound", "the server could not find the requested resource"), c.req.header("accept")));

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const code = c.res.status;
    metrics.countRequest(c.get("verb") ?? c.req.method.toLowerCase(), c.get("resource") ?? "", code);
    log.debug("request", { method: c.req.method, path: c.req.path, code, ms: Math.round(performance.now() - started), user: c.get("identity")?.user });
  });

  app.use(
    "*",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => statusResponse(ApiError.tooLarge(`the request body is larger than the limit of ${maxBodyBytes} bytes`), c.req.header("accept")),
    }),
  );

  app.use("*", async (c, next) => {
    if (publicPaths.has(c.req.path)) return next();
    const identity = opts.credentials.authenticate(bearerToken(c.req.header("authorization")));
    if (!identity) return statusResponse(ApiError.unauthorized(), c.req.header("accept"));
    c.set("identity", identity);
    return next();
  });

  const ok = () => new Response("ok", { headers: { "Content-Type": "text/plain; charset=utf-8" } });
  app.get("/healthz", ok);
  app.get("/livez", ok);
  app.get("/readyz", ok);
  app.get("/version", (c) => c.json(versionInfo(opts.version ?? "skiff")));
  app.get("/cacerts", () => new Response(opts.ca.certPem, { headers: { "Content-Type": "application/x-pem-file" } }));
  app.post("/skiff/v1/join", async (c) => c.json(await handleJoin(c.req.raw, opts.credentials, opts.ca)));
  app.get("/metrics", (c) => c.text(metrics.render(store), 200, { "Content-Type": "text/plain; version=0.0.4" }));
  app.get("/openapi/v3", (c) => c.json(openApiRoot()));
  app.get("/openapi/v3/*", (c) => {
    const doc = openApiGroupVersion(c.req.path.slice("/openapi/v3/".length));
    if (!doc) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    return c.json(doc);
  });
  app.all("/openapi/*", () => {
    throw new ApiError(404, "NotFound", "skiff serves only a minimal OpenAPI v3 document");
  });

  app.get("/api", (c) => encode(apiVersions(opts.serverAddress()), 200, c.req.header("accept")));
  app.get("/apis", (c) => encode(apiGroupList(), 200, c.req.header("accept")));

  const resources = async (c: Context<AppEnv>) => {
    const req = c.req.raw;
    const url = new URL(req.url);
    const info = parseRequestInfo(req.method, url.pathname, url.searchParams);
    if (!info) return discovery(c, url.pathname);
    c.set("verb", info.verb);
    c.set("resource", qualifiedResource(info.rt) + (info.subresource ? `/${info.subresource}` : ""));
    const longLived = info.verb === "watch" || (info.subresource === "log" && url.searchParams.get("follow") === "true");
    if (longLived) c.env?.server?.timeout(req, 0);
    return handleResource(req, info, c.get("identity"), {
      store,
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 15_000,
      podLogs,
      watchOpened: () => metrics.watches++,
      watchClosed: () => metrics.watches--,
      watchDelivered: (ms) => metrics.watchDelivery.observe(ms / 1000),
      services,
    });
  };
  app.all("/api/*", resources);
  app.all("/apis/*", resources);
  return app;
}

function discovery(c: Context<AppEnv>, pathname: string): Response {
  const segs = pathname.split("/").filter(Boolean);
  if (c.req.method !== "GET" && c.req.method !== "HEAD") throw new ApiError(405, "MethodNotAllowed", `${c.req.method} is not allowed on ${pathname}`);
  let doc: Record<string, unknown> | undefined;
  if (segs[0] === "api" && segs.length === 2) doc = apiResourceList(segs[1]!);
  else if (segs[0] === "apis" && segs.length === 2) doc = apiGroupDoc(segs[1]!);
  else if (segs[0] === "apis" && segs.length === 3) doc = apiResourceList(`${segs[1]}/${segs[2]}`);
  if (!doc) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
  return encode(doc, 200, c.req.header("accept"));
}
