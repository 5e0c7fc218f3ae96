// An in-process test cluster for controller tests: a real API server on
// 127.0.0.1 (free port, temp data dir, no agent), its scheduler, a controller
// manager with test-sized timings, and hollow nodes with a fake kubelet.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControllerManagerOptions, startControllerManager } from "../../src/controllers/manager.ts";
import type { ApiClient } from "../../src/client/api-client.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { type Level, setLogLevel } from "../../src/util/log.ts";
import { FakeKubelet, type FakeKubeletOptions } from "./fake-kubelet.ts";

export interface TestCluster {
  server: RunningServer;
  client: ApiClient;
  kubelet: FakeKubelet;
  stop(): Promise<void>;
}

export async function startTestCluster(o: { nodes?: string[]; controllers?: ControllerManagerOptions; kubelet?: FakeKubeletOptions } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-controllers-"));
  // Warnings and errors only, unless SKIFF_LOG_LEVEL asks for more: a test run's output stays readable.
  setLogLevel((process.env.SKIFF_LOG_LEVEL as Level | undefined) ?? "warn");
  // The server's own controller manager is off: the test runs one with short timings.
  const server = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, disableAgent: true, controllers: [], sync: "normal" });
  const manager = startControllerManager(server.client, { nodeMonitorGracePeriodMs: 2000, defaultUnreachableTolerationSeconds: 1, jobBackoffBaseMs: 20, ...o.controllers });
  const kubelet = new FakeKubelet(server.client, o.kubelet);
  await kubelet.start();
  for (const n of o.nodes ?? []) await kubelet.addNode(n);
  await manager.ready;
  return {
    server,
    client: server.client,
    kubelet,
    async stop() {
      await kubelet.stop();
      manager.stop();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
      setLogLevel((process.env.SKIFF_LOG_LEVEL as Level | undefined) ?? "info");
    },
  };
}
