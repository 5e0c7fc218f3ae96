import { describe, expect, test } from "bun:test";
import { StatusWriter } from "../../src/agent/status-writer.ts";
import { Pods } from "../../src/api/registry.ts";
import type { Pod, PodStatus } from "../../src/api/types.ts";
import { FakeClient } from "./fake-client.ts";
import { waitFor } from "../support/wait.ts";

describe("StatusWriter", () => {
  test("writes changes once, even when the pod cache lags behind its own write, and never hides a later change", async () => {
    const client = new FakeClient();
    let patches = 0;
    let patched = 0;
    const patch = client.patch.bind(client);
    client.patch = (async (...args: Parameters<FakeClient["patch"]>) => {
      patches++;
      const res = await patch(...args);
      patched++;
      return res;
    }) as FakeClient["patch"];
    const stale = await client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "default" }, spec: { containers: [] }, status: { phase: "Pending" } });
    const w = new StatusWriter(client, 2);
    const running: PodStatus = { phase: "Running" };
    w.set(stale, running);
    await waitFor("the first patch answered", () => patched === 1, { everyMs: 5 });
    // The cache still holds the pod from before our write: no duplicate.
    w.set(stale, running);
    // Negative assertion: no second patch within 30 ms (a queued write goes out within a millisecond or two).
    await Bun.sleep(30);
    expect(patches).toBe(1);
    // A change back to what the stale cache shows must still be written.
    w.set(stale, { phase: "Pending" });
    await waitFor("the second patch", () => patches === 2, { everyMs: 5 });
    expect((client.pod("default", "p") as Pod).status).toEqual({ phase: "Pending" });
    w.stop();
  });

  test("the latest status of a burst is what ends up written, also after failed writes", async () => {
    const client = new FakeClient();
    const pod = await client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "q", namespace: "default" }, spec: { containers: [] } });
    client.down = true;
    let failed = 0;
    const patch = client.patch.bind(client);
    client.patch = (async (...args: Parameters<FakeClient["patch"]>) => {
      try {
        return await patch(...args);
      } catch (err) {
        failed++;
        throw err;
      }
    }) as FakeClient["patch"];
    const w = new StatusWriter(client, 1);
    for (let i = 0; i < 5; i++) w.set(pod, { phase: "Running", message: `v${i}` });
    await waitFor("two failed writes", () => failed >= 2, { everyMs: 5 });
    client.down = false;
    await waitFor("the latest status written", () => (client.pod("default", "q") as Pod).status?.message === "v4", { everyMs: 5 });
    w.stop();
  });
});
