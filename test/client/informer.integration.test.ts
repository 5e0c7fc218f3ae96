// The Informer against a real in-process server: a watch that breaks while the
// store compacts past its revision must end in a relist whose differences reach
// the handlers, so the cache equals the server's state again.
import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigMaps } from "../../src/api/registry.ts";
import type { ConfigMap } from "../../src/api/types.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import { Informer } from "../../src/client/informer.ts";
import { startServer } from "../../src/server/server.ts";
import { waitFor } from "../support/wait.ts";

// A real server on a machine others load too: more than bun's default 5 s.
setDefaultTimeout(60_000);

type Running = Awaited<ReturnType<typeof startServer>>;
let dir: string;
let server: Running;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-informer-"));
  server = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, disableScheduler: true, disableAgent: true, controllers: [] });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (name: string, v: string): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { v } });

test("relist after 410 Gone brings the cache and the handlers back in step", async () => {
  // A transport we can cut: while `down`, requests fail like a dead network; `cut()` ends open watches.
  let down = false;
  const open = new Set<AbortController>();
  const client = new ApiClient({
    baseUrl: "http://in-process",
    token: server.adminToken,
    fetch: (req) => {
      if (down) throw new TypeError("network down");
      const ac = new AbortController();
      req.signal.addEventListener("abort", () => ac.abort());
      open.add(ac);
      return server.app.fetch(new Request(req, { signal: ac.signal }));
    },
  });
  const cut = () => {
    for (const ac of open) ac.abort();
    open.clear();
  };

  const admin = server.client;
  await admin.create(ConfigMaps, cm("keep", "1"));
  await admin.create(ConfigMaps, cm("change", "1"));
  await admin.create(ConfigMaps, cm("remove", "1"));

  const inf = new Informer<ConfigMap>(client, ConfigMaps, { namespace: "default", initialBackoffMs: 5, maxBackoffMs: 20 });
  const events: string[] = [];
  inf.on({
    add: (o) => events.push(`add ${o.metadata.name}`),
    update: (_, o) => events.push(`update ${o.metadata.name}=${o.data?.v}`),
    delete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  await inf.start();
  try {
    expect(events.sort()).toEqual(["add change", "add keep", "add remove"]);
    events.length = 0;

    // A live change arrives through the watch.
    await admin.patch(ConfigMaps, "default", "keep", { data: { v: "2" } });
    await waitFor("live update", () => events.includes("update keep=2"));
    const seenRv = inf.lastSyncResourceVersion;
    events.length = 0;

    // Break the watch, change things while it is down, and compact past its revision.
    down = true;
    cut();
    await admin.patch(ConfigMaps, "default", "change", { data: { v: "2" } });
    await admin.delete(ConfigMaps, "default", "remove");
    await admin.create(ConfigMaps, cm("new", "1"));
    for (let i = 0; i < 5; i++) await admin.patch(ConfigMaps, "default", "keep", { data: { v: `x${i}` } });
    await server.store.compact(server.store.currentRevision());
    expect(server.store.compactedRevision()).toBeGreaterThan(Number(seenRv));
    down = false;

    await waitFor("cache in step with the server", async () => {
      const live = (await admin.list<ConfigMap>(ConfigMaps, "default")).items;
      const want = live.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
      const have = inf.list().map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
      return JSON.stringify(want) === JSON.stringify(have);
    });
    expect(events).toContain("update change=2");
    expect(events).toContain("delete remove");
    expect(events).toContain("add new");
    expect(events).toContain("update keep=x4");
    expect(inf.get("default", "remove")).toBeUndefined();

    // And the informer keeps watching after the relist.
    events.length = 0;
    await admin.create(ConfigMaps, cm("after", "1"));
    await waitFor("watch after relist", () => events.includes("add after"));
  } finally {
    inf.stop();
  }
});
