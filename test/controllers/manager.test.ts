// The manager's driving of a controller: keys from informer events, one worker
// per key at a time, requeue-after, and retries with backoff on errors.
import { afterEach, describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { ConfigMaps } from "../../src/api/registry.ts";
import type { ConfigMap } from "../../src/api/types.ts";
import { type ControllerDefinition, type ControllerManager, runControllers } from "../../src/controllers/manager.ts";
import { wireSelf } from "../../src/controllers/owned-pods.ts";
import { FakeClient } from "../agent/fake-client.ts";
import { waitFor } from "../support/wait.ts";

let manager: ControllerManager | undefined;
afterEach(() => manager?.stop());

function cm(name: string): ConfigMap {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: {} };
}

describe("runControllers", () => {
  test("syncs keys from informer events, requeues after the returned delay, retries failures", async () => {
    const client = new FakeClient();
    await client.create(ConfigMaps, cm("existing"));
    const seen: string[] = [];
    let failuresLeft = 2;
    let concurrent = 0;
    let maxConcurrent = 0;
    const def: ControllerDefinition = {
      name: "probe",
      setup(ctx, queue) {
        wireSelf(ctx.informer(ConfigMaps), queue);
        return async (key) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await Bun.sleep(1);
          concurrent--;
          seen.push(key);
          if (key === "default/flaky" && failuresLeft-- > 0) throw ApiError.internal("boom");
          if (key === "default/again" && seen.filter((k) => k === key).length < 3) return 5;
        };
      },
    };
    manager = runControllers(client, [def], { workers: 2 });
    await manager.ready;
    await waitFor("the listed object", () => seen.includes("default/existing"));
    await client.create(ConfigMaps, cm("flaky"));
    await client.create(ConfigMaps, cm("again"));
    await waitFor("flaky retried until it succeeds", () => seen.filter((k) => k === "default/flaky").length === 3);
    await waitFor("again requeued twice", () => seen.filter((k) => k === "default/again").length === 3);
    expect(maxConcurrent).toBeLessThanOrEqual(2);
  });

  test("--controllers chooses which run; unknown names are refused", () => {
    const def: ControllerDefinition = { name: "probe", setup: () => async () => undefined };
    expect(() => runControllers(new FakeClient(), [def], { controllers: ["other"] })).toThrow(/unknown controller "other"/);
    manager = runControllers(new FakeClient(), [def], { controllers: ["-probe"] });
  });
});
