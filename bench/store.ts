// Store benchmark: `bun run bench:store` (options: --quick, --skip-api, --skip-etcd).
//
//  (a) store layer, in process: durable creates/s of 1 KiB ConfigMaps, 1/16/64 concurrent writers
//  (b) the real server (the compiled binary, as `bun run build` makes it) over HTTPS with the admin token, driven from a separate client process
//  (c) etcd (Debian's etcd-server, default durable settings) through its JSON gateway, same client code
//  (d) watch latency, write submit → watcher receipt, 100 and 1,000 watchers: the store layer; the API
//      handlers in process (app.fetch, no sockets); the API over HTTPS with all streams in one client
//      process, and 1,000 spread over several client processes; the server's own commit → write
//      histogram (/metrics) over each HTTPS phase; and the floor: the same client phases against a
//      bare Bun TLS socket server that only writes each event to every connection
//  (e) the server's RSS, idle and after the load
//
// Everything listens on 127.0.0.1 ports picked free at run time; every process
// started here is killed before exit. Results print as a markdown table.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../src/api/types.ts";
import { loadKubeconfig } from "../src/client/kubeconfig.ts";
import { openSqliteStore } from "../src/store/sqlite-store.ts";
import { buildSkiff } from "../test/support/build.ts";
import { waitFor } from "../test/support/wait.ts";

const root = join(import.meta.dir, "..");
const bun = process.execPath;
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const levels = [1, 16, 64];
const runMs = quick ? 1000 : 3000;
const maxOps = 200_000;
/** The watch-latency runs: this many writes, one at a time, this far apart. */
const watchWrites = quick ? 50 : 200;
const watchWriteGapMs = 20;
/** Client processes the multi-process watch run spreads its 1,000 watches over. */
const watchParts = 4;

// ---- shared workload ---------------------------------------------------------

/** A ConfigMap whose JSON is about 1 KiB. */
function configMap(name: string, stamp?: number): KubeObject {
  const data: Record<string, string> = { pad: "x".repeat(880) };
  if (stamp !== undefined) data.t = String(stamp);
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface LoadResult {
  ops: number;
  errors: number;
  ms: number;
  rate: number;
  p50: number;
  p99: number;
  firstError?: string;
}

/** Runs `concurrency` loops of `op` until `runMs` passed (or maxOps done). */
async function drive(concurrency: number, op: (seq: number) => Promise<void>): Promise<LoadResult> {
  let seq = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const start = now();
  const deadline = start + runMs;
  const worker = async () => {
    while (now() < deadline && seq < maxOps) {
      const t0 = now();
      try {
        await op(seq++);
        latencies.push(now() - t0);
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = now() - start;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, errors, ms, rate: (latencies.length / ms) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), firstError };
}

// ---- HTTP targets (used by the client child process) ---------------------------

interface Target {
  /** "floor": the bare socket fan-out (floorServerMain); `url` is its TLS port, `publishUrl` takes the writes. */
  kind: "skiff" | "etcd" | "floor";
  url: string;
  publishUrl?: string;
  token?: string;
  caPem?: string;
}

function requestFor(target: Target, name: string, body: KubeObject): [string, RequestInit & { tls?: { ca?: string } }] {
  if (target.kind === "floor") return [target.publishUrl!, { method: "POST", body: JSON.stringify(body) }];
  if (target.kind === "etcd") {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    return [`${target.url}/v3/kv/put`, { method: "POST", body: JSON.stringify({ key: b64(`${etcdPrefix}${name}`), value: b64(JSON.stringify(body)) }) }];
  }
  return [
    `${target.url}/api/v1/namespaces/default/configmaps`,
    {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      tls: target.caPem ? { ca: target.caPem } : undefined,
    },
  ];
}

const etcdPrefix = "/bench/configmaps/default/";

async function send(target: Target, name: string, body: KubeObject): Promise<void> {
  const [url, init] = requestFor(target, name, body);
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
}

/** Child-process entry: `bun bench/store.ts --client <json>` prints one JSON result line. */
type WatchVia = "fetch" | "socket";

interface ClientSpec {
  target: Target;
  /** "watch-part": hold watches only (from `rv`), print a ready line, then the raw latencies; someone else writes. */
  mode: "load" | "watch" | "watch-part";
  concurrency: number;
  run: string;
  watchers?: number;
  via?: WatchVia;
  rv?: string;
}

async function clientMain(spec: ClientSpec): Promise<void> {
  const { target } = spec;
  if (spec.mode === "watch-part") {
    const r = await apiWatchLatency(target, spec.watchers ?? 100, spec.run, spec.via ?? "socket", { rv: spec.rv, write: false, onReady: () => console.log(JSON.stringify({ ready: true })) });
    console.log(JSON.stringify({ missing: r.missing, latencies: r.latencies.map((l) => Math.round(l * 1000) / 1000) }));
    return;
  }
  // Warm up connections so the first measured requests do not pay for TLS handshakes.
  await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => send(target, `${spec.run}-warm-${i}`, configMap(`${spec.run}-warm-${i}`))));
  if (spec.mode === "load") {
    const result = await drive(spec.concurrency, (seq) => send(target, `${spec.run}-${seq}`, configMap(`${spec.run}-${seq}`)));
    console.log(JSON.stringify(result));
    return;
  }
  const { latencies: _, ...summary } = await apiWatchLatency(target, spec.watchers ?? 100, spec.run, spec.via ?? "fetch", { write: true });
  console.log(JSON.stringify(summary));
}

/**
 * Opens `watchers` HTTP watches, writes paced creates, measures submit → receipt per watcher.
 * `via: "fetch"` reads each stream with fetch + ReadableStream reader (what ApiClient does);
 * `via: "socket"` reads each response off its own TLS socket (Bun.connect): one process
 * holding 1,000 streams then spends far less per event on the client side, so the figure
 * is closer to the server's own latency (1,000 watchers are normally 1,000 clients).
 */
async function apiWatchLatency(
  target: Target,
  watchers: number,
  run: string,
  via: WatchVia,
  opts: { rv?: string; write: boolean; onReady?: () => void },
): Promise<{ p50: number; p99: number; samples: number; missing: number; latencies: number[] }> {
  const base = `${target.url}/api/v1/namespaces/default/configmaps`;
  const rv = opts.rv ?? (await currentRevision(target));
  const headers = { authorization: `Bearer ${target.token}` };
  const tls = target.caPem ? { ca: target.caPem } : undefined;
  const writes = watchWrites;
  const latencies: number[] = [];
  const abort = new AbortController();
  let ready = 0;
  let received = 0;
  /** Records the events in `text` (whole lines only); returns the unfinished tail. */
  const consume = (text: string, at: number, count: () => void): string => {
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      const line = eventText(target, text.slice(0, nl));
      text = text.slice(nl + 1);
      if (!line.includes(`"${run}-w-`)) continue;
      // The timestamp without JSON.parse: one client process reads all the
      // streams, and its per-event cost would be counted as latency.
      const at0 = line.indexOf('"t":"');
      const t = at0 < 0 ? NaN : Number(line.slice(at0 + 5, line.indexOf('"', at0 + 5)));
      if (!Number.isNaN(t)) {
        latencies.push(at - t);
        count();
      }
    }
    return text;
  };
  const sockets: { end(): void }[] = [];
  const watchSocket = async () => {
    const url = new URL(`${base}?watch=true&resourceVersion=${rv}`);
    let buf = "";
    let headersSeen = false;
    const request = watchRequest(target, url);
    const socket = await Bun.connect({
      hostname: url.hostname,
      port: Number(url.port),
      tls: target.caPem ? { ca: target.caPem, serverName: "localhost" } : undefined,
      socket: {
        open(s) {
          if (!target.caPem) s.write(request);
        },
        // A write before the TLS handshake is done would be dropped.
        handshake(s, authorized) {
          if (authorized) s.write(request);
        },
        data(_s, data) {
          const at = now();
          // The server sends the headers (and a blank line) once the watch is registered.
          if (!headersSeen) {
            headersSeen = true;
            ready++;
          }
          // Chunk-size lines of the chunked encoding land between event lines and are skipped.
          buf = consume(buf + data.toString("latin1"), at, () => received++);
        },
      },
    });
    sockets.push(socket);
  };
  const watch = async () => {
    if (via === "socket") return watchSocket();
    const res = await fetch(`${base}?watch=true&resourceVersion=${rv}`, { headers, tls, signal: abort.signal } as RequestInit);
    ready++;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    let mine = 0;
    try {
      while (mine < writes) {
        const { value, done } = await reader.read();
        if (done) return;
        const at = now();
        buf = consume(buf + decoder.decode(value, { stream: true }), at, () => {
          mine++;
          received++;
        });
      }
    } catch {
      // aborted at the end
    }
  };
  const watches = Array.from({ length: watchers }, watch);
  // Without a writer here, the writes come after every part reported ready: allow for the slowest.
  const deadline = now() + (opts.write ? 30_000 : 90_000);
  while (ready < watchers && now() < deadline) await Bun.sleep(10);
  opts.onReady?.();
  if (opts.write) await pacedWrites(target, run);
  const expected = writes * watchers;
  while (received < expected && now() < deadline) await Bun.sleep(10);
  abort.abort();
  for (const s of sockets) s.end();
  await Promise.allSettled(watches);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length, missing: expected - received, latencies };
}

/**
 * The raw HTTP/1.1 request that opens one watch. etcd's JSON gateway watches with a
 * streaming POST of a create_request for the key range the creates write under.
 */
function watchRequest(target: Target, url: URL): string {
  if (target.kind !== "etcd") return `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${target.token}\r\nAccept: application/json\r\n\r\n`;
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const body = JSON.stringify({ create_request: { key: b64(etcdPrefix), range_end: b64(etcdPrefix.slice(0, -1) + "0") } });
  return `POST /v3/watch HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** An event line as text to search: etcd's gateway carries the object base64-encoded in kv.value. */
function eventText(target: Target, line: string): string {
  if (target.kind !== "etcd") return line;
  const at = line.indexOf('"value":"');
  return at < 0 ? "" : Buffer.from(line.slice(at + 9, line.indexOf('"', at + 9)), "base64").toString("latin1");
}

async function currentRevision(target: Target): Promise<string> {
  if (target.kind !== "skiff") return "0";
  const res = await fetch(`${target.url}/api/v1/namespaces/default/configmaps?limit=1`, { headers: { authorization: `Bearer ${target.token}` }, tls: target.caPem ? { ca: target.caPem } : undefined } as RequestInit);
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

/** One writer, paced (about 50 writes/s): latency, not a saturation test. Each object carries its submit time. */
async function pacedWrites(target: Target, run: string): Promise<void> {
  for (let n = 0; n < watchWrites; n++) {
    await send(target, `${run}-w-${n}`, configMap(`${run}-w-${n}`, now()));
    await Bun.sleep(watchWriteGapMs);
  }
}

// ---- the floor: the same fan-out without skiff ------------------------------------

/**
 * What fanning an event out to many TLS connections costs on this machine by
 * itself: a bare Bun TLS socket server (skiff's own serving certificate) that
 * answers any request with response headers, then writes each object POSTed
 * to its control port to every open connection as one watch line. No store,
 * no fsync, no routing, no selectors, no chunked framing: the floor any
 * single-threaded Bun server stands on. Runs in its own process, like skiff.
 */
async function floorServerMain(spec: { cert: string; key: string }): Promise<void> {
  const encoder = new TextEncoder();
  /** Bytes the kernel did not take yet, per connection (Bun's socket.write does not buffer them). */
  const open = new Map<Bun.Socket<undefined>, Uint8Array[]>();
  const writeAll = (s: Bun.Socket<undefined>, bytes: Uint8Array) => {
    const pending = open.get(s)!;
    if (pending.length > 0) return void pending.push(bytes);
    const n = s.write(bytes);
    if (n < bytes.length) pending.push(bytes.subarray(Math.max(0, n)));
  };
  const listener = Bun.listen<undefined>({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: spec.cert, key: spec.key },
    socket: {
      data(s) {
        if (open.has(s)) return;
        open.set(s, []);
        writeAll(s, encoder.encode("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n\n"));
      },
      drain(s) {
        const pending = open.get(s) ?? [];
        while (pending.length > 0) {
          const head = pending[0];
          const n = s.write(head);
          if (n >= head.length) pending.shift();
          else return void (pending[0] = head.subarray(Math.max(0, n)));
        }
      },
      close(s) {
        open.delete(s);
      },
    },
  });
  const control = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const line = encoder.encode(`{"type":"ADDED","object":${await req.text()}}\n`);
      for (const s of open.keys()) writeAll(s, line);
      return new Response("ok");
    },
  });
  console.log(JSON.stringify({ tlsPort: listener.port, controlPort: control.port }));
}

async function startFloor(serverDir: string, caPem: string): Promise<Target> {
  const spec = { cert: readFileSync(join(serverDir, "tls/server.crt"), "utf8"), key: readFileSync(join(serverDir, "tls/server.key"), "utf8") };
  const proc = Bun.spawn([bun, join(import.meta.dir, "store.ts"), "--floor-server", JSON.stringify(spec)], { cwd: root, stdout: "pipe", stderr: "inherit" });
  started.push(proc);
  const { value } = await stdoutLines(proc).next();
  if (!value) throw new Error(`floor server ended early (exit ${await proc.exited})`);
  const { tlsPort, controlPort } = JSON.parse(value) as { tlsPort: number; controlPort: number };
  return { kind: "floor", url: `https://127.0.0.1:${tlsPort}`, publishUrl: `http://127.0.0.1:${controlPort}/publish`, caPem };
}

// ---- the API handlers in process: watches as the server's own components hold them ----

/**
 * `watchers` watches through the real API handlers with no socket in between:
 * the in-process ApiClient over app.fetch, as the scheduler and controllers
 * hold theirs. Each event is parsed by the client, as an informer does.
 */
async function inProcessApiWatchLatency(watchers: number): Promise<{ p50: number; p99: number; samples: number }> {
  // Imported here: the client child processes run this file too and need none of the server.
  const { startServer } = await import("../src/server/server.ts");
  const { ConfigMaps } = await import("../src/api/registry.ts");
  const server = await startServer({ dataDir: tempDir("inproc"), port: 0, bindAddress: "127.0.0.1", disableAgent: true, disableScheduler: true, controllers: [] });
  try {
    const latencies: number[] = [];
    const rv = String(server.store.currentRevision());
    const readers = Array.from({ length: watchers }, async () => {
      let seen = 0;
      for await (const ev of server.client.watch<KubeObject & { data?: Record<string, string> }>(ConfigMaps, "default", { resourceVersion: rv })) {
        const t = Number(ev.object.data?.t);
        if (Number.isNaN(t)) continue;
        latencies.push(now() - t);
        if (++seen === watchWrites) return;
      }
    });
    const registered = async () => /apiserver_registered_watchers (\d+)/.exec(await (await server.client.request("GET", "/metrics")).text())?.[1];
    await waitFor("every in-process watch registered", async () => (Number(await registered()) >= watchers ? true : undefined), { timeoutMs: 30_000, everyMs: 20 });
    for (let n = 0; n < watchWrites; n++) {
      await server.client.create(ConfigMaps, configMap(`inproc-w-${n}`, now()));
      await Bun.sleep(watchWriteGapMs);
    }
    await Promise.all(readers);
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length };
  } finally {
    await server.stop();
  }
}

// ---- the server's own view: the commit → write histogram in /metrics ------------

const deliveryMetric = "skiff_watch_event_delivery_seconds";

/** Cumulative bucket counts by upper bound (seconds, +Inf as Infinity). */
type Buckets = Map<number, number>;

async function deliveryBuckets(target: Target): Promise<Buckets> {
  const text = await (await fetch(`${target.url}/metrics`, { headers: { authorization: `Bearer ${target.token}` }, tls: target.caPem ? { ca: target.caPem } : undefined } as RequestInit)).text();
  const out: Buckets = new Map();
  for (const m of text.matchAll(new RegExp(`^${deliveryMetric}_bucket\\{le="([^"]+)"\\} (\\S+)$`, "gm"))) out.set(m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2]));
  if (out.size === 0) throw new Error(`${deliveryMetric} not in /metrics`);
  return out;
}

interface ServerSide {
  p50: number;
  p99: number;
  count: number;
}

/**
 * p50/p99 in ms of the observations between two readings, interpolated linearly
 * inside the bucket (as Prometheus' histogram_quantile does): only as fine as the buckets.
 */
function serverSide(before: Buckets, after: Buckets): ServerSide {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1];
  const quantile = (q: number) => {
    if (total === 0) return NaN;
    const rank = q * total;
    for (let i = 0; i < bounds.length; i++) {
      if (counts[i] < rank) continue;
      if (bounds[i] === Infinity) return bounds[i - 1] * 1000; // past the last finite bound: report that bound
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : counts[i - 1];
      const inBucket = counts[i] - below;
      return (lower + (bounds[i] - lower) * (inBucket === 0 ? 0 : (rank - below) / inBucket)) * 1000;
    }
    return NaN;
  };
  return { p50: quantile(0.5), p99: quantile(0.99), count: total };
}

/** Lines of a child's stdout as they come. */
async function* stdoutLines(proc: Bun.Subprocess<"ignore", "pipe", "inherit">): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of proc.stdout) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
    }
  }
  if (buf) yield buf;
}

/**
 * `watchers` socket watches split over `parts` client processes (as many
 * watchers are normally many clients); this process writes once all are ready.
 * Submit and receipt times are wall-clock ms (timeOrigin + performance.now()), comparable across processes.
 */
async function multiProcessWatch(target: Target, watchers: number, parts: number, run: string): Promise<{ p50: number; p99: number; samples: number; missing: number }> {
  const rv = await currentRevision(target);
  await send(target, `${run}-warm`, configMap(`${run}-warm`)); // this process's connection, before any stamped write
  const children = Array.from({ length: parts }, (_, i) => {
    const spec: ClientSpec = { target, mode: "watch-part", concurrency: 0, watchers: watchers / parts, via: "socket", run, rv };
    const proc = Bun.spawn([bun, join(import.meta.dir, "store.ts"), "--client", JSON.stringify(spec), ...(quick ? ["--quick"] : [])], { cwd: root, stdout: "pipe", stderr: "inherit" });
    started.push(proc);
    return { proc, lines: stdoutLines(proc), index: i };
  });
  const nextLine = async (c: (typeof children)[number]) => {
    const { value, done } = await c.lines.next();
    if (done) throw new Error(`watch client ${c.index} ended early (exit ${await c.proc.exited})`);
    return JSON.parse(value) as { ready?: boolean; missing?: number; latencies?: number[] };
  };
  for (const c of children) if (!(await nextLine(c)).ready) throw new Error(`watch client ${c.index}: no ready line`);
  await pacedWrites(target, run);
  const latencies: number[] = [];
  let missing = 0;
  for (const c of children) {
    const r = await nextLine(c);
    for (const l of r.latencies ?? []) latencies.push(l);
    missing += r.missing ?? 0;
    await c.proc.exited;
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length, missing };
}

// ---- processes -----------------------------------------------------------------

async function freePort(): Promise<number> {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

const started: Bun.Subprocess[] = [];
const tempDirs: string[] = [];

/** Output goes to `logFile` (a pipe nobody reads would fill up and stall the process). */
function spawn(cmd: string[], logFile: string): Bun.Subprocess {
  const out = Bun.file(logFile);
  const proc = Bun.spawn(cmd, { cwd: root, stdout: out, stderr: out, detached: true });
  started.push(proc);
  return proc;
}

function kill(proc: Bun.Subprocess): void {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    proc.kill("SIGKILL");
  }
}

function cleanup(): void {
  for (const p of started) kill(p);
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
}

function tempDir(name: string): string {
  const d = mkdtempSync(join(tmpdir(), `skiff-bench-${name}-`));
  tempDirs.push(d);
  return d;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

async function runClient(spec: ClientSpec): Promise<LoadResult & { samples?: number; missing?: number }> {
  // Bun's fetch runs at most 256 requests at once by default; 1,000 open watch streams need more.
  const env = { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "4096" };
  const proc = Bun.spawn([bun, join(import.meta.dir, "store.ts"), "--client", JSON.stringify(spec), ...(quick ? ["--quick"] : [])], { cwd: root, env, stdout: "pipe", stderr: "inherit" });
  started.push(proc);
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const line = out.trim().split("\n").pop() ?? "";
  if (proc.exitCode !== 0 || !line.startsWith("{")) throw new Error(`client failed (exit ${proc.exitCode}): ${out.slice(0, 500)}`);
  return JSON.parse(line);
}

/** VmRSS of a full server (embedded agent, scheduler, controllers) left idle for `ms`. */
async function idleFullServerRss(binary: string, ms: number): Promise<number> {
  const dir = tempDir("idle");
  const proc = spawn([binary, "server", "--data-dir", dir, "--port", String(await freePort()), "--bind-address", "127.0.0.1"], join(dir, "server.log"));
  const kubeconfig = join(dir, "admin.kubeconfig");
  await waitFor("the idle server's admin kubeconfig", async () => (existsSync(kubeconfig) ? true : undefined), { timeoutMs: 30_000, everyMs: 50 });
  await Bun.sleep(ms);
  const rss = rssMiB(proc.pid);
  // A clean stop lets the embedded agent tidy up after itself.
  proc.kill("SIGTERM");
  await Promise.race([proc.exited, Bun.sleep(10_000)]);
  kill(proc);
  return rss;
}

async function startSkiff(binary: string): Promise<{ proc: Bun.Subprocess; target: Target; dir: string }> {
  const dir = tempDir("server");
  const port = await freePort();
  const proc = spawn([binary, "server", "--data-dir", dir, "--port", String(port), "--bind-address", "127.0.0.1", "--disable-agent"], join(dir, "server.log"));
  const kubeconfig = join(dir, "admin.kubeconfig");
  const cfg = await waitFor("the server's admin kubeconfig", async () => (existsSync(kubeconfig) ? loadKubeconfig(kubeconfig) : undefined), { timeoutMs: 30_000, everyMs: 50 });
  const target: Target = { kind: "skiff", url: cfg.server, token: cfg.token, caPem: cfg.caPem };
  await waitFor("skiff /readyz", async () => {
    const res = await fetch(`${target.url}/readyz`, { tls: { ca: target.caPem } } as RequestInit);
    return res.ok ? true : undefined;
  }, { timeoutMs: 30_000, everyMs: 50 });
  return { proc, target, dir };
}

async function startEtcd(): Promise<{ proc: Bun.Subprocess; target: Target; version: string }> {
  const etcd = Bun.which("etcd");
  if (!etcd) throw new Error("etcd not installed (apt-get install -y etcd-server)");
  const version = (Bun.spawnSync([etcd, "--version"]).stdout.toString().match(/etcd Version: (\S+)/) ?? [])[1] ?? "?";
  const dir = tempDir("etcd");
  const client = await freePort();
  const peer = await freePort();
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const proc = spawn([etcd, "--name", "bench", "--data-dir", join(dir, "data"), "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", p, "--initial-advertise-peer-urls", p, "--initial-cluster", `bench=${p}`, "--log-level", "error"], join(dir, "etcd.log"));
  await waitFor("etcd /health", async () => ((await fetch(`${c}/health`)).ok ? true : undefined), { timeoutMs: 30_000, everyMs: 50 });
  return { proc, target: { kind: "etcd", url: c }, version };
}

// ---- the benchmark -------------------------------------------------------------

async function storeLayer(): Promise<Record<number, LoadResult>> {
  const out: Record<number, LoadResult> = {};
  for (const c of levels) {
    const dir = tempDir("store");
    const store = openSqliteStore({ path: join(dir, "state.db"), compactIntervalMs: 0 });
    out[c] = await drive(c, async (seq) => {
      await store.create(`/core/configmaps/default/cm-${seq}`, configMap(`cm-${seq}`));
    });
    await store.close();
  }
  return out;
}

async function storeWatchLatency(watchers: number): Promise<{ p50: number; p99: number; samples: number }> {
  const dir = tempDir("watch");
  const store = openSqliteStore({ path: join(dir, "state.db"), compactIntervalMs: 0, watchBuffer: 100_000 });
  const writes = watchWrites;
  const submitted = new Map<string, number>();
  const latencies: number[] = [];
  const from = store.currentRevision();
  const readers = Array.from({ length: watchers }, () => {
    const watch = store.watch("/core/configmaps/", from);
    let seen = 0;
    return new Promise<void>((resolve, reject) => {
      watch.listen({
        event: (ev) => {
          latencies.push(now() - submitted.get(ev.key)!);
          if (++seen === writes) watch.close();
          return true;
        },
        end: (err) => (err ? reject(err) : resolve()),
      });
    });
  });
  // Paced like the API variant: latency, not saturation.
  for (let n = 0; n < writes; n++) {
    const key = `/core/configmaps/default/w-${n}`;
    submitted.set(key, now());
    await store.create(key, configMap(key));
    await Bun.sleep(watchWriteGapMs);
  }
  await Promise.all(readers);
  await store.close();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

async function main(): Promise<void> {
  const lines: string[] = [];
  const print = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  console.error(`bench:store on ${navigator.hardwareConcurrency} CPUs, Bun ${Bun.version}, ${runMs} ms per run, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  const store = await storeLayer();
  const api: Record<number, LoadResult> = {};
  const etcd: Record<number, LoadResult> = {};
  let rss: { idle: number; idleWithAgent: number; loaded: number } | undefined;
  let etcdVersion = "";
  const apiWatch: Record<string, { p50: number; p99: number; samples?: number; missing?: number }> = {};
  /** The server's commit → write histogram over the same phases (keys as apiWatch). */
  const serverWatch: Record<string, ServerSide> = {};
  /** The same client phases against the bare socket fan-out (keys as apiWatch). */
  const floorWatch: Record<string, { p50: number; p99: number; samples?: number; missing?: number }> = {};
  /** The same client phases against etcd's watch (JSON gateway, plain HTTP: no TLS to pay for). */
  const etcdWatch: Record<string, { p50: number; p99: number; samples?: number; missing?: number }> = {};
  const notes: string[] = [];

  if (!args.has("--skip-api")) {
    if (!existsSync(join(root, "src/main.ts"))) notes.push("API: src/main.ts not present yet — skipped");
    else {
      try {
        const binary = await buildSkiff(join(tempDir("build"), "skiff"));
        const idleWithAgent = await idleFullServerRss(binary, 5000);
        const { proc, target, dir } = await startSkiff(binary);
        await Bun.sleep(2000); // let startup work (namespaces, controllers) settle before the idle reading
        const idle = rssMiB(proc.pid);
        for (const c of levels) api[c] = await runClient({ target, mode: "load", concurrency: c, run: `api${c}` });
        const measured = async (key: string, phase: () => Promise<{ p50: number; p99: number; samples?: number; missing?: number }>) => {
          const before = await deliveryBuckets(target);
          apiWatch[key] = await phase();
          serverWatch[key] = serverSide(before, await deliveryBuckets(target));
        };
        for (const via of ["socket", "fetch"] as const) {
          for (const w of [100, 1000]) await measured(`${via}${w}`, () => runClient({ target, mode: "watch", concurrency: 1, watchers: w, via, run: `watch-${via}${w}` }));
        }
        await measured(`multi1000`, () => multiProcessWatch(target, 1000, watchParts, "watch-multi1000"));
        rss = { idle, idleWithAgent, loaded: rssMiB(proc.pid) };
        kill(proc);
        const floor = await startFloor(dir, target.caPem!);
        for (const w of [100, 1000]) floorWatch[`socket${w}`] = await runClient({ target: floor, mode: "watch", concurrency: 1, watchers: w, via: "socket", run: `floor-socket${w}` });
        floorWatch.multi1000 = await multiProcessWatch(floor, 1000, watchParts, "floor-multi1000");
      } catch (err) {
        notes.push(`API: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  if (!args.has("--skip-etcd")) {
    try {
      const { proc, target, version } = await startEtcd();
      etcdVersion = version;
      for (const c of levels) etcd[c] = await runClient({ target, mode: "load", concurrency: c, run: `etcd${c}` });
      for (const w of [100, 1000]) etcdWatch[`socket${w}`] = await runClient({ target, mode: "watch", concurrency: 1, watchers: w, via: "socket", run: `etcd-socket${w}` });
      etcdWatch.multi1000 = await multiProcessWatch(target, 1000, watchParts, "etcd-multi1000");
      kill(proc);
    } catch (err) {
      notes.push(`etcd: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const storeWatch: Record<number, { p50: number; p99: number; samples: number }> = {};
  for (const w of [100, 1000]) storeWatch[w] = await storeWatchLatency(w);
  const inProcessWatch: Record<number, { p50: number; p99: number; samples: number }> = {};
  if (!args.has("--skip-api")) for (const w of [100, 1000]) inProcessWatch[w] = await inProcessApiWatchLatency(w);

  print("");
  print(`Durable creates of 1 KiB ConfigMaps (synchronous=FULL; etcd ${etcdVersion || "n/a"} defaults), ${runMs / 1000} s per cell`);
  print("");
  print("| concurrent writers | store layer (in process) | skiff API (HTTPS, separate client) | etcd (JSON gateway, same client) | API / etcd |");
  print("|---:|---:|---:|---:|---:|");
  for (const c of levels) {
    const cell = (r?: LoadResult) => (r ? `${fmt(r.rate)}/s (p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms${r.errors ? `, ${r.errors} errors` : ""})` : "—");
    const ratio = api[c] && etcd[c] ? `${fmt(api[c].rate / etcd[c].rate, 2)}×` : "—";
    print(`| ${c} | ${cell(store[c])} | ${cell(api[c])} | ${cell(etcd[c])} | ${ratio} |`);
  }
  print("");
  print(`Watch latency: ${watchWrites} creates, one every ${watchWriteGapMs} ms; time from submitting the write to each watcher receiving the event (includes the commit's fsync)`);
  print("");
  print(`| watchers | store layer p50 / p99 | API in process (app.fetch, as the server's controllers watch) p50 / p99 | API, 1 client process, TLS socket per watch p50 / p99 | API, 1 client process, fetch stream per watch p50 / p99 | API, 1,000 sockets over ${watchParts} client processes p50 / p99 |`);
  print("|---:|---:|---:|---:|---:|---:|");
  const apiCell = (a?: { p50: number; p99: number; missing?: number }) => (a ? `${fmt(a.p50, 2)} / ${fmt(a.p99, 2)} ms${a.missing ? ` (${a.missing} events missing)` : ""}` : "—");
  for (const w of [100, 1000]) {
    print(`| ${w} | ${apiCell(storeWatch[w])} | ${apiCell(inProcessWatch[w])} | ${apiCell(apiWatch[`socket${w}`])} | ${apiCell(apiWatch[`fetch${w}`])} | ${w === 1000 ? apiCell(apiWatch.multi1000) : "—"} |`);
  }
  print("");
  print(`Peers, same client code and machine, a socket per watch (submit → receipt): etcd ${etcdVersion || "n/a"} (watch through its JSON gateway, plain HTTP, no TLS), and the floor: a bare Bun TLS socket server (no store, no fsync, no API) writing each POSTed object to every connection`);
  print("");
  print(`| watchers | etcd, 1 client process | etcd, ${watchParts} client processes | floor, 1 client process | floor, ${watchParts} client processes |`);
  print("|---:|---:|---:|---:|---:|");
  for (const w of [100, 1000]) {
    const multi = (r: Record<string, { p50: number; p99: number; missing?: number }>) => (w === 1000 ? apiCell(r.multi1000) : "—");
    print(`| ${w} | ${apiCell(etcdWatch[`socket${w}`])} | ${multi(etcdWatch)} | ${apiCell(floorWatch[`socket${w}`])} | ${multi(floorWatch)} |`);
  }
  print("");
  print(`Server side, same phases: commit → the watch handler writing the event to each watcher's response (${deliveryMetric} from /metrics, read before and after each phase; p50 / p99 interpolated linearly within its buckets, so only as fine as the buckets)`);
  print("");
  print(`| watchers | during 1 client process, socket per watch | during 1 client process, fetch streams | during ${watchParts} client processes |`);
  print("|---:|---:|---:|---:|");
  const serverCell = (s?: ServerSide) => (s ? `${fmt(s.p50, 2)} / ${fmt(s.p99, 2)} ms (${s.count} writes)` : "—");
  for (const w of [100, 1000]) print(`| ${w} | ${serverCell(serverWatch[`socket${w}`])} | ${serverCell(serverWatch[`fetch${w}`])} | ${w === 1000 ? serverCell(serverWatch.multi1000) : "—"} |`);
  if (rss) {
    print("");
    print(`Server RSS (the compiled binary): idle ${fmt(rss.idle, 1)} MiB (--disable-agent, 2 s after start), after the load ${fmt(rss.loaded, 1)} MiB; a full server with the embedded agent, idle 5 s after start: ${fmt(rss.idleWithAgent, 1)} MiB`);
  }
  for (const r of [...Object.values(api), ...Object.values(etcd)]) if (r.firstError) notes.push(`first error: ${r.firstError}`);
  for (const n of notes) print(`\nNote: ${n}`);
  print(`\nLoad average at the end (1/5/15 min): ${loadavg().map((l) => l.toFixed(2)).join(" / ")} on ${navigator.hardwareConcurrency} CPUs`);
}

if (process.argv[2] === "--client") {
  await clientMain(JSON.parse(process.argv[3]));
} else if (process.argv[2] === "--floor-server") {
  await floorServerMain(JSON.parse(process.argv[3]));
} else {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    await main();
  } finally {
    cleanup();
  }
}
