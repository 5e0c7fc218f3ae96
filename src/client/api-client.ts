// The one Client implementation: Kubernetes REST over a fetch function. Over
// HTTPS (agents, the CLI) it verifies the server against the kubeconfig CA;
// in-process (scheduler, controllers) it calls the hono app's fetch directly.
import { ApiError } from "../api/errors.ts";
import type { DeleteOptions, KubeList, KubeObject, Status, WatchEvent } from "../api/types.ts";
import type { Client, ListOptions, PatchType, ResourceRef, WatchOptions, WatchStream } from "./client.ts";

export type FetchFn = (req: Request) => Response | Promise<Response>;

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  caPem?: string;
  insecureSkipTlsVerify?: boolean;
  /** In-process transport (e.g. `(req) => app.fetch(req)`): used instead of the network. */
  fetch?: FetchFn;
  userAgent?: string;
  /** Server-side dry run: every write is validated and answered but not stored (?dryRun=All). */
  dryRun?: boolean;
}

const patchContentTypes: Record<PatchType, string> = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

/** "/api/v1" or "/apis/apps/v1". */
export function groupVersionPath(rt: Pick<ResourceRef, "group" | "version">): string {
  return rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
}

/** Collection path; a namespaced kind without a namespace means all namespaces. */
export function resourcePath(rt: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  let path = groupVersionPath(rt);
  if (rt.namespaced && namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${rt.plural}`;
  if (name !== undefined) {
    if (name === "") throw ApiError.badRequest(`resource name may not be empty`);
    path += `/${encodeURIComponent(name)}`;
  }
  if (subresource) path += `/${subresource}`;
  return path;
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

const fromServer = new WeakSet<ApiError>();

/** True for errors the API server answered with (as opposed to failures to reach it or client-side checks). */
export function cameFromServer(err: ApiError): boolean {
  return fromServer.has(err);
}

function serverError(status: Partial<Status>, httpCode: number): ApiError {
  const err = ApiError.fromStatus(status, httpCode);
  fromServer.add(err);
  return err;
}

/** Turn a non-2xx response into an ApiError (a Status body when the server sent one). */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<Status>;
    if (body && typeof body === "object" && (body.kind === "Status" || body.message)) return serverError(body, res.status);
  } catch {
    // not JSON: fall through to the raw text
  }
  return serverError({ message: text.trim() || `the server responded with HTTP ${res.status} ${res.statusText}`.trim() }, res.status);
}

export class ApiClient implements Client {
  readonly baseUrl: string;
  private readonly opts: ApiClientOptions;

  constructor(opts: ApiClientOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
  }

  /** Send a request; network failures become ApiError 503. Does not check the status. */
  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal, longLived = false): Promise<Response> {
    const write = method !== "GET" && method !== "HEAD";
    const url = this.baseUrl + (this.opts.dryRun && write ? `${path}${path.includes("?") ? "&" : "?"}dryRun=All` : path);
    const h: Record<string, string> = { Accept: "application/json", ...headers };
    if (this.opts.token) h.Authorization = `Bearer ${this.opts.token}`;
    if (this.opts.userAgent) h["User-Agent"] = this.opts.userAgent;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["Content-Type"] ??= "application/json";
    }
    const init: RequestInit = { method, headers: h, body: payload, signal };
    try {
      if (this.opts.fetch) return await this.opts.fetch(new Request(url, init));
      const tls = this.opts.caPem || this.opts.insecureSkipTlsVerify
        ? { ca: this.opts.caPem, rejectUnauthorized: !this.opts.insecureSkipTlsVerify }
        : undefined;
      return await fetch(url, { ...init, tls, timeout: longLived ? false : undefined });
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof ApiError) throw err;
      throw networkError(this.baseUrl, err);
    }
  }

  async request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response> {
    // Streams (watches, followed logs) may be quiet for long stretches: no idle timeout for them.
    const longLived = /[?&](watch|follow)=(true|1)(&|$)/.test(path);
    const res = await this.send(method, path, body, headers, undefined, longLived);
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  private async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.request(method, path, body, headers);
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw ApiError.internal(`the server sent a response that is not JSON for ${method} ${path}: ${text.slice(0, 200)}`);
    }
  }

  get<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.json<T>("GET", resourcePath(rt, namespace, name));
  }

  list<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    const q = query({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion });
    return this.json<KubeList<T>>("GET", resourcePath(rt, namespace) + q);
  }

  create<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    return this.json<T>("POST", resourcePath(rt, namespaceOf(rt, obj)), obj);
  }

  update<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    return this.json<T>("PUT", resourcePath(rt, namespaceOf(rt, obj), nameOf(obj)), obj);
  }

  updateStatus<T extends KubeObject>(rt: ResourceRef, obj: T): Promise<T> {
    return this.json<T>("PUT", resourcePath(rt, namespaceOf(rt, obj), nameOf(obj), "status"), obj);
  }

  patch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, name: string, patch: unknown, type: PatchType = "merge", subresource?: "status"): Promise<T> {
    return this.json<T>("PATCH", resourcePath(rt, namespace, name, subresource), patch, { "Content-Type": patchContentTypes[type] });
  }

  delete(rt: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    const body = opts ? { apiVersion: "v1", kind: "DeleteOptions", ...opts } : undefined;
    return this.json<KubeObject>("DELETE", resourcePath(rt, namespace, name), body);
  }

  async bind(namespace: string, podName: string, nodeName: string, uid?: string): Promise<void> {
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: podName, namespace, ...(uid ? { uid } : {}) },
      target: { apiVersion: "v1", kind: "Node", name: nodeName },
    };
    const res = await this.request("POST", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/binding`, binding);
    await res.body?.cancel();
  }

  watch<T extends KubeObject>(rt: ResourceRef, namespace: string | undefined, opts: WatchOptions = {}): WatchStream<T> {
    const q = query({
      watch: true,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
    });
    return this.watchPath<T>(resourcePath(rt, namespace) + q);
  }

  /** Watch any path that answers with a Kubernetes watch stream (newline-delimited JSON events). */
  watchPath<T extends KubeObject>(path: string): WatchStream<T> {
    const abort = new AbortController();
    const client = this;
    async function* events(): AsyncGenerator<WatchEvent<T>> {
      let res: Response;
      try {
        res = await client.send("GET", path, undefined, {}, abort.signal, true);
      } catch (err) {
        if (abort.signal.aborted) return;
        throw err;
      }
      if (!res.ok) throw await errorFromResponse(res);
      if (!res.body) return;
      try {
        for await (const line of ndjsonLines(res.body)) {
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === "ERROR") {
            const status = event.object as unknown as Partial<Status>;
            throw serverError(status, typeof status.code === "number" ? status.code : 500);
          }
          yield event;
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof ApiError) throw err;
        if (err instanceof SyntaxError) throw ApiError.internal(`malformed watch event from ${path}: ${err.message}`);
        throw ApiError.unavailable(`watch on ${path} broke: ${(err as Error).message ?? String(err)}`);
      } finally {
        abort.abort();
      }
    }
    const iterator = events();
    return {
      [Symbol.asyncIterator]: () => iterator,
      close: () => abort.abort(),
    };
  }
}

const tlsErrorCode = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME|TLS/i;

/** A failure to talk to the server at all, as one line that says what to check. */
function networkError(baseUrl: string, err: unknown): ApiError {
  const e = err as Error & { code?: string };
  const message = e?.message ?? String(err);
  if (e?.code && tlsErrorCode.test(e.code)) {
    return ApiError.unavailable(`cannot reach the API server at ${baseUrl}: TLS verification failed (${e.code}: ${message}); check the kubeconfig's certificate-authority`);
  }
  return ApiError.unavailable(`cannot reach the API server at ${baseUrl}: ${message}`);
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw ApiError.badRequest(`${obj.kind || "object"} has no metadata.name`);
  return name;
}

function namespaceOf(rt: ResourceRef, obj: KubeObject): string | undefined {
  if (!rt.namespaced) return undefined;
  return obj.metadata?.namespace || "default";
}

/** Split a byte stream into non-empty lines. */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) yield rest;
}
