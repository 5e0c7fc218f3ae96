// Watch streaming against a real server: initial state, resume, selector
// transitions, 410 Gone after compaction, timeouts, bookmarks, slow watchers,
// and a stream over HTTPS outliving Bun's idle timeout.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { configMap, readEvents, startTestServer, type TestServer } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ bookmarkIntervalSeconds: 0.2 });
  await t.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "w" } });
});
afterAll(async () => {
  await t.close();
});

const cms = "/api/v1/namespaces/w/configmaps";
const merge = { "Content-Type": "application/merge-patch+json" };
const names = (events: any[]) => events.map((e) => `${e.type}:${e.object?.metadata?.name ?? ""}`);

describe("watch", () => {
  test("without resourceVersion: ADDED for what exists, then live events", async () => {
    await t.json("POST", cms, configMap("w-existing", "w", { suite: "a" }));
    const res = await t.req("GET", `${cms}?watch=true&labelSelector=suite%3Da`);
    expect(res.status).toBe(200);
    // The watch starts from the initial list's revision before the response is returned, so later writes are live events.
    const live = (async () => {
      await t.json("POST", cms, configMap("w-new", "w", { suite: "a" }));
      await t.json("PATCH", `${cms}/w-new`, { data: { k: "2" } }, merge);
      await t.json("DELETE", `${cms}/w-new`);
    })();
    const events = await readEvents(res, (ev) => ev.length >= 4);
    await live;
    expect(names(events)).toEqual(["ADDED:w-existing", "ADDED:w-new", "MODIFIED:w-new", "DELETED:w-new"]);
    const revs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(revs.slice(1)).toEqual([...revs.slice(1)].sort((a, b) => a - b));
  });

  test("resume from a resourceVersion replays what came after it", async () => {
    const a = (await t.json("POST", cms, configMap("r-a", "w", { suite: "r" }))).body;
    await t.json("POST", cms, configMap("r-b", "w", { suite: "r" }));
    await t.json("PATCH", `${cms}/r-a`, { data: { k: "x" } }, merge);
    const res = await t.req("GET", `${cms}?watch=true&labelSelector=suite%3Dr&resourceVersion=${a.metadata.resourceVersion}`);
    const events = await readEvents(res, (ev) => ev.length >= 2);
    expect(names(events)).toEqual(["ADDED:r-b", "MODIFIED:r-a"]);
  });

  test("objects entering and leaving the selector arrive as ADDED and DELETED", async () => {
    const list = await t.json("GET", `${cms}?labelSelector=team%3Dblue`);
    const res = await t.req("GET", `${cms}?watch=true&labelSelector=team%3Dblue&resourceVersion=${list.body.metadata.resourceVersion}`);
    const writes = (async () => {
      await t.json("POST", cms, configMap("sel-x", "w", { team: "red" }));
      await t.json("PATCH", `${cms}/sel-x`, { metadata: { labels: { team: "blue" } } }, merge);
      await t.json("PATCH", `${cms}/sel-x`, { data: { k: "changed" } }, merge);
      await t.json("PATCH", `${cms}/sel-x`, { metadata: { labels: { team: "red" } } }, merge);
      await t.json("PATCH", `${cms}/sel-x`, { data: { k: "unseen" } }, merge);
      await t.json("PATCH", `${cms}/sel-x`, { metadata: { labels: { team: "blue" } } }, merge);
      await t.json("DELETE", `${cms}/sel-x`);
    })();
    const events = await readEvents(res, (ev) => ev.length >= 5);
    await writes;
    expect(names(events)).toEqual(["ADDED:sel-x", "MODIFIED:sel-x", "DELETED:sel-x", "ADDED:sel-x", "DELETED:sel-x"]);
    expect(events[2].object.metadata.labels.team).toBe("red");
  });

  test("field selectors and single-object watches", async () => {
    const rv = t.server.store.currentRevision();
    const res = await t.req("GET", `${cms}/only-me?watch=true&resourceVersion=${rv}`);
    const writes = (async () => {
      await t.json("POST", cms, configMap("not-me", "w"));
      await t.json("POST", cms, configMap("only-me", "w"));
    })();
    const events = await readEvents(res, (ev) => ev.length >= 1);
    await writes;
    expect(names(events)).toEqual(["ADDED:only-me"]);
  });

  test("a compacted resourceVersion gets an ERROR event with 410 Gone", async () => {
    const old = (await t.json("POST", cms, configMap("gone-1", "w"))).body.metadata.resourceVersion;
    await t.json("POST", cms, configMap("gone-2", "w"));
    await t.server.store.compact(t.server.store.currentRevision());
    const res = await t.req("GET", `${cms}?watch=true&resourceVersion=${Number(old) - 1}`);
    expect(res.status).toBe(200);
    const events = await readEvents(res, (ev) => ev.length >= 1);
    expect(events[0].type).toBe("ERROR");
    expect(events[0].object).toMatchObject({ kind: "Status", code: 410, reason: "Gone" });
    expect((await t.req("GET", `${cms}?watch=true&resourceVersion=abc`)).status).toBe(400);
  });

  test("timeoutSeconds ends the stream; bookmarks carry the resourceVersion", async () => {
    const started = Date.now();
    const res = await t.req("GET", `${cms}?watch=true&resourceVersion=${t.server.store.currentRevision()}&timeoutSeconds=1`);
    const text = await res.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(text).not.toContain("BOOKMARK");

    const rv = t.server.store.currentRevision();
    const bm = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    const events = await readEvents(bm, (ev) => ev.length >= 2);
    expect(events.map((e) => e.type)).toEqual(["BOOKMARK", "BOOKMARK"]);
    expect(events[0].object).toMatchObject({ kind: "ConfigMap", apiVersion: "v1" });
    expect(Number(events[0].object.metadata.resourceVersion)).toBeGreaterThanOrEqual(rv);

    // On a quiet selector, bookmarks still advance with writes elsewhere, so a resume after compaction is not Gone.
    const quiet = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&labelSelector=never%3Dmatches`);
    const other = (await t.json("POST", "/api/v1/namespaces/default/configmaps", configMap("elsewhere"))).body;
    const marks = await readEvents(quiet, (ev) => ev.some((e) => Number(e.object.metadata.resourceVersion) >= Number(other.metadata.resourceVersion)));
    expect(marks.every((e) => e.type === "BOOKMARK")).toBe(true);
  });

  test("bookmarks never run ahead of an event not yet sent", async () => {
    const rv = t.server.store.currentRevision();
    const res = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&labelSelector=race%3Dyes`);
    const writes = (async () => {
      for (let i = 0; i < 40; i++) {
        await t.json("POST", cms, configMap(`race-${i}`, "w", { race: "yes" }));
        // Pacing, not waiting: spread the writes so bookmarks fall between them.
        await Bun.sleep(10);
      }
    })();
    const events = await readEvents(res, (ev) => ev.filter((e) => e.type === "ADDED").length >= 40, 20_000);
    await writes;
    let high = 0;
    for (const e of events) {
      const v = Number(e.object.metadata.resourceVersion);
      if (e.type === "ADDED") expect(v).toBeGreaterThan(high);
      high = Math.max(high, v);
    }
    expect(events.some((e) => e.type === "BOOKMARK")).toBe(true);
  }, 30_000);

  test("a watcher that stops reading is cut off; others get every event", async () => {
    const rv = t.server.store.currentRevision();
    const stalled = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}&labelSelector=flood%3Dyes`);
    const reader = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}&labelSelector=flood%3Dyes`);
    const n = 1300;
    const readAll = readEvents(reader, (ev) => ev.length >= n, 60_000);
    for (let i = 0; i < n; i++) await t.json("POST", cms, configMap(`flood-${i}`, "w", { flood: "yes" }));
    expect((await readAll).length).toBe(n);
    const cut = await readEvents(stalled, (ev) => ev.some((e) => e.type === "ERROR"), 10_000);
    expect(cut.length).toBeLessThan(n);
    expect(cut.at(-1).object.kind).toBe("Status");
  }, 60_000);

  test("over HTTPS a quiet watch outlives the server's idle timeout", async () => {
    // A server of its own with a 1 s idle timeout (production: Bun's 10 s). Bun enforces idle timeouts in 4 s
    // ticks: 1 s cuts a silent, unlifted stream at about 4 s (and 10 s at about 12 s), so 6 s of silence proves the lift.
    const idle = await startTestServer({ idleTimeoutSeconds: 1 });
    try {
      await idle.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "w" } });
      const res = await fetch(`${idle.server.url}${cms}?watch=true&labelSelector=quiet%3Dyes`, {
        headers: { Authorization: `Bearer ${idle.server.adminToken}` },
        tls: { ca: idle.server.caPem },
      } as RequestInit);
      expect(res.status).toBe(200);
      const later = (async () => {
        // Negative assertion: the stream must stay open through 6 s of silence.
        await Bun.sleep(6000);
        await idle.json("POST", cms, configMap("quiet-1", "w", { quiet: "yes" }));
      })();
      const events = await readEvents(res, (ev) => ev.length >= 1, 15_000);
      await later;
      expect(names(events)).toEqual(["ADDED:quiet-1"]);
    } finally {
      await idle.close();
    }
  }, 25_000);

  test("a client that disconnects releases its store watch", async () => {
    const gauge = async () => Number(/apiserver_registered_watchers (\d+)/.exec(await (await t.req("GET", "/metrics")).text())![1]);
    // Earlier tests' watches are released asynchronously: start from none.
    await waitFor("earlier watches released", async () => (await gauge()) === 0);
    const base = 0;
    const ac = new AbortController();
    const res = await fetch(`${t.server.url}${cms}?watch=true`, { headers: { Authorization: `Bearer ${t.server.adminToken}` }, tls: { ca: t.server.caPem }, signal: ac.signal } as RequestInit);
    await res.body!.getReader().read();
    expect(await gauge()).toBe(base + 1);
    ac.abort();
    await waitFor("watch released", async () => (await gauge()) === base);
  });
});
