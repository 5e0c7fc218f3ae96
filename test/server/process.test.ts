// `skiff server` as a real process: start on port 0, graceful SIGTERM, and the
// crash test — kill -9 in the middle of a stream of creates, restart on the
// same data dir, and check every acknowledged create survived and a watch
// resumed from the last acknowledged revision sees every later change.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigMaps, Leases } from "../../src/api/registry.ts";
import type { KubeObject } from "../../src/api/types.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import { loadKubeconfig } from "../../src/client/kubeconfig.ts";
import { waitFor } from "../support/wait.ts";

const root = join(import.meta.dir, "..", "..");
const bun = process.execPath;
const dirs: string[] = [];
const procs: ReturnType<typeof Bun.spawn>[] = [];

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "skiff-proc-test-"));
  dirs.push(d);
  return d;
}

interface Started {
  proc: ReturnType<typeof Bun.spawn>;
  url: string;
  client: ApiClient;
}

async function startProcess(dataDir: string): Promise<Started> {
  const proc = Bun.spawn(
    [bun, join(root, "src/main.ts"), "server", "--data-dir", dataDir, "--bind-address", "127.0.0.1", "--port", "0", "--disable-scheduler", "--disable-agent", "--controllers", "", "--sync", "full"],
    { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, SKIFF_LOG_LEVEL: "warn" } },
  );
  procs.push(proc);
  const reader = proc.stdout.getReader();
  let out = "";
  const deadline = Date.now() + 20_000;
  while (!out.includes("\n")) {
    if (Date.now() > deadline) throw new Error(`server did not print its URL; stderr: ${await new Response(proc.stderr).text()}`);
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`server exited (${await proc.exited}): ${await new Response(proc.stderr).text()}`);
    out += new TextDecoder().decode(chunk.value);
  }
  reader.releaseLock();
  const url = out.trim().split("\n")[0]!;
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  const creds = loadKubeconfig(join(dataDir, "admin.kubeconfig"));
  expect(creds.server).toBe(url);
  return { proc, url, client: new ApiClient({ baseUrl: creds.server, token: creds.token, caPem: creds.caPem }) };
}

const cm = (name: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { n: name } });

describe("skiff server process", () => {
  test("starts on port 0, serves the kubeconfig's URL, stops cleanly on SIGTERM", async () => {
    const dir = tempDir();
    const s = await startProcess(dir);
    const ns = await s.client.list(ConfigMaps, "default");
    expect(ns.kind).toBe("ConfigMapList");
    // An open watch ends cleanly with the server instead of holding it up.
    const watch = s.client.watch(ConfigMaps, "default", { resourceVersion: ns.metadata.resourceVersion });
    const drained = (async () => {
      try {
        for await (const _ of watch) {
          // no events expected
        }
      } catch {
        // a broken stream is an acceptable end too
      }
      return "ended";
    })();
    // SIGTERM only once the server has registered the watch, so that shutdown has an open stream to end.
    await waitFor("the watch registered", async () => /apiserver_registered_watchers [1-9]/.test(await (await s.client.request("GET", "/metrics")).text()));
    s.proc.kill("SIGTERM");
    expect(await s.proc.exited).toBe(0);
    expect(await Promise.race([drained, Bun.sleep(5000).then(() => "hung")])).toBe("ended");
  }, 30_000);

  test("kill -9 mid-stream loses no acknowledged create; a resumed watch sees every later change", async () => {
    const dir = tempDir();
    const first = await startProcess(dir);
    const acked = new Map<string, number>();
    let stop = false;
    let seq = 0;
    const worker = async () => {
      while (!stop) {
        const name = `crash-${seq++}`;
        try {
          const created = await first.client.create(ConfigMaps, cm(name));
          acked.set(name, Number(created.metadata.resourceVersion));
        } catch {
          return; // the server died under us: this create is not acknowledged
        }
      }
    };
    // Node leases live in memory (no flash writes for heartbeats): they do not survive the crash.
    await first.client.create(Leases, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { holderIdentity: "n1" } });
    const workers = Array.from({ length: 8 }, worker);
    await waitFor("300 acknowledged creates", () => acked.size >= 300, { everyMs: 5 });
    first.proc.kill("SIGKILL");
    stop = true;
    await Promise.all(workers);
    expect(await first.proc.exited).not.toBe(0);
    const lastAcked = Math.max(...acked.values());

    const second = await startProcess(dir);
    const list = await second.client.list(ConfigMaps, "default");
    const stored = new Map(list.items.map((o) => [o.metadata.name!, Number(o.metadata.resourceVersion)]));
    for (const [name, rv] of acked) expect(stored.get(name)).toBe(rv);

    // Committed but unacknowledged creates (rv > lastAcked) and new ones must all come through the resumed watch.
    const expected = new Set([...stored].filter(([, rv]) => rv > lastAcked).map(([name]) => name));
    const watch = second.client.watch(ConfigMaps, "default", { resourceVersion: String(lastAcked) });
    for (let i = 0; i < 5; i++) {
      await second.client.create(ConfigMaps, cm(`after-${i}`));
      expected.add(`after-${i}`);
    }
    const seen: string[] = [];
    const revs: number[] = [];
    const deadline = setTimeout(() => watch.close(), 15_000);
    for await (const ev of watch) {
      seen.push(ev.object.metadata.name!);
      revs.push(Number(ev.object.metadata.resourceVersion));
      if (seen.length >= expected.size) break;
    }
    clearTimeout(deadline);
    watch.close();
    expect(new Set(seen)).toEqual(expected);
    expect(revs).toEqual([...revs].sort((a, b) => a - b));

    expect((await second.client.list(Leases, "kube-node-lease")).items).toEqual([]);
    // Lease history was in memory: resuming a lease watch from before the crash is Gone (relist), not silently incomplete.
    const leaseWatch = second.client.watch(Leases, "kube-node-lease", { resourceVersion: String(lastAcked) });
    let leaseError: unknown;
    try {
      for await (const _ of leaseWatch) break;
    } catch (err) {
      leaseError = err;
    }
    leaseWatch.close();
    expect((leaseError as { code?: number } | undefined)?.code).toBe(410);
    second.proc.kill("SIGTERM");
    expect(await second.proc.exited).toBe(0);
  }, 60_000);
});
