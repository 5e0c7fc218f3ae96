// Test helpers: a real server on 127.0.0.1, port 0, in a temp dir, with the
// scheduler, controllers and embedded agent off so tests see only the API.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/server.ts";

export interface TestServer {
  server: RunningServer;
  dir: string;
  /** In-process request as admin (or with `token`). */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T = Record<string, any>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startTestServer(opts: ServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-server-test-"));
  const server = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, disableScheduler: true, disableAgent: true, controllers: [], sync: "normal", ...opts });
  const req = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { Authorization: `Bearer ${server.adminToken}`, ...headers };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["Content-Type"] ??= "application/json";
    }
    return Promise.resolve(server.app.fetch(new Request(`http://in-process${path}`, { method, headers: h, body: payload })));
  };
  return {
    server,
    dir,
    req,
    async json(method, path, body, headers) {
      const res = await req(method, path, body, headers);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function configMap(name: string, namespace = "default", labels?: Record<string, string>, data: Record<string, string> = { k: "v" }) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...(labels ? { labels } : {}) }, data };
}

export function pod(name: string, namespace = "default", extra: Record<string, unknown> = {}) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "100"] }], ...extra } };
}

export function deployment(name: string, replicas = 1) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
  };
}

/** Read NDJSON watch events from a response until `until` says stop. */
export async function readEvents(res: Response, until: (events: any[]) => boolean, timeoutMs = 10_000): Promise<any[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: any[] = [];
  let buf = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(events)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out reading watch events; got ${JSON.stringify(events.map((e) => e.type))}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out reading watch events; got ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name]))}`)), left)))]);
      clearTimeout(timer);
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}
