// The commit → watch delivery histogram in /metrics: one observation per live
// event per watcher; events replayed from the log are not live and not counted.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { configMap, readEvents, startTestServer, type TestServer } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const cms = "/api/v1/namespaces/default/configmaps";
const metric = "skiff_watch_event_delivery_seconds";

async function deliveries(): Promise<{ count: number; inf: number; sum: number }> {
  const text = await (await t.req("GET", "/metrics")).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return { count: value(new RegExp(`^${metric}_count (\\S+)$`, "m")), inf: value(new RegExp(`^${metric}_bucket\\{le="\\+Inf"\\} (\\S+)$`, "m")), sum: value(new RegExp(`^${metric}_sum (\\S+)$`, "m")) };
}

test("live watch events are counted per watcher in the delivery histogram; replays are not", async () => {
  const text = await (await t.req("GET", "/metrics")).text();
  expect(text).toContain(`# TYPE ${metric} histogram`);
  expect(text).toContain(`${metric}_bucket{le="0.0005"}`);
  const before = await deliveries();
  expect(before.count).toBe(0);

  const rv = (await t.json("GET", cms)).body.metadata.resourceVersion;
  const watches = await Promise.all([1, 2].map(() => t.req("GET", `${cms}?watch=true&resourceVersion=${rv}`)));
  const reading = watches.map((res) => readEvents(res, (ev) => ev.length >= 2));
  await t.json("POST", cms, configMap("dm-a"));
  await t.json("POST", cms, configMap("dm-b"));
  for (const events of await Promise.all(reading)) expect(events.map((e) => e.object.metadata.name)).toEqual(["dm-a", "dm-b"]);

  // 2 events × 2 watchers.
  const after = await waitFor("four deliveries counted", async () => {
    const d = await deliveries();
    return d.count >= 4 ? d : undefined;
  });
  expect(after.count).toBe(4);
  expect(after.inf).toBe(4);
  expect(after.sum).toBeGreaterThan(0);
  expect(after.sum).toBeLessThan(4 * 10); // seconds: a loopback delivery is nowhere near 10 s

  // The same two events replayed to a new watch: not live, not counted.
  const replay = await t.req("GET", `${cms}?watch=true&resourceVersion=${rv}`);
  const replayed = await readEvents(replay, (ev) => ev.length >= 2);
  expect(replayed.map((e) => e.object.metadata.name)).toEqual(["dm-a", "dm-b"]);
  expect((await deliveries()).count).toBe(4);
});
