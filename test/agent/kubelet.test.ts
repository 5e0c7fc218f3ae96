// The kubelet with real processes against an in-memory API (FakeClient).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kubelet } from "../../src/agent/kubelet.ts";
import { ProcessRuntime } from "../../src/agent/runtime/process.ts";
import { ConfigMaps, Pods } from "../../src/api/registry.ts";
import type { Container, Pod, PodSpec } from "../../src/api/types.ts";
import { FakeClient } from "./fake-client.ts";
import { waitFor } from "../support/wait.ts";

let dir: string;
let client: FakeClient;
let runtime: ProcessRuntime;
let kubelet: Kubelet;
const pgids = new Set<number>();
/** Real processes start, restart and back off: longer than the default deadline. */
const patient = { timeoutMs: 15_000 };

async function startKubelet(waitForSync = true): Promise<void> {
  runtime = new ProcessRuntime({ stateDir: join(dir, "containers"), adoptPollMs: 50, cgroupGroup: "skiff-test" });
  await runtime.init();
  kubelet = new Kubelet({ client, runtime, nodeName: "n1", nodeIP: "127.0.0.1", dataDir: dir, backoff: { baseMs: 300, capMs: 5000, resetAfterMs: 600_000 }, resyncMs: 500, tickMs: 100, cacheWaitMs: 0, portRange: { min: 41000, max: 41999 } });
  kubelet.start();
  if (waitForSync) await waitFor("pod cache", () => kubelet.hasSynced(), patient);
}

function stopKubelet(): void {
  kubelet.stop();
  runtime.close();
}

async function createPod(name: string, containers: Container[], extra: Partial<PodSpec> = {}): Promise<Pod> {
  return client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { nodeName: "n1", containers, terminationGracePeriodSeconds: 5, ...extra } });
}

const pod = (name: string) => client.pod("default", name) as Pod | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-kubelet-"));
  client = new FakeClient();
  await startKubelet();
});

afterEach(() => {
  for (const c of runtime.list()) if (c.pid && !c.exit) pgids.add(c.pid);
  stopKubelet();
  for (const pgid of pgids) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // gone
    }
  }
  pgids.clear();
  rmSync(dir, { recursive: true, force: true });
});

describe("kubelet", () => {
  test("runs an HTTP server on its allocated host port until Running and Ready", async () => {
    await createPod("web", [
      {
        name: "http",
        command: ["python3", "-m", "http.server", "$(PORT)", "--bind", "127.0.0.1"],
        ports: [{ name: "http", containerPort: 8080 }],
        readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 1 },
      },
    ]);
    const ready = await waitFor("web ready", () => pod("web")?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True") && pod("web"), patient);
    expect(ready.status?.phase).toBe("Running");
    expect(ready.status?.podIP).toBe("127.0.0.1");
    const hp = ready.status!.hostPorts![0]!;
    expect(hp).toMatchObject({ containerName: "http", name: "http", containerPort: 8080, protocol: "TCP" });
    expect(hp.hostPort).toBeGreaterThanOrEqual(41000);
    const res = await fetch(`http://127.0.0.1:${hp.hostPort}/`);
    expect(res.status).toBe(200);
    expect(ready.status?.containerStatuses?.[0]).toMatchObject({ ready: true, restartCount: 0 });
  });

  test("a crashing container restarts with a growing back-off (CrashLoopBackOff)", async () => {
    await createPod("crash", [{ name: "c", command: ["sh", "-c", "echo boom; exit 3"] }]);
    const starts: number[] = [];
    let last = -1;
    await waitFor("three restarts", () => {
      const cs = pod("crash")?.status?.containerStatuses?.[0];
      if (cs && cs.restartCount !== last) {
        last = cs.restartCount;
        starts.push(Date.now());
      }
      return cs !== undefined && cs.restartCount >= 3 && cs;
    }, { timeoutMs: 20_000 });
    const cs = pod("crash")!.status!.containerStatuses![0]!;
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    // Delays: ~0, 300ms, 600ms: the gap before the third restart is longer than before the second.
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps.at(-1)!).toBeGreaterThan(gaps.at(-2)! * 1.3);
    await waitFor("CrashLoopBackOff reported", () => pod("crash")?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff", { timeoutMs: 10_000 });
    const src = kubelet.resolveLog("default", "crash", undefined, false);
    expect(typeof src).toBe("object");
    expect(readFileSync((src as { path: string }).path, "utf8")).toBe("boom\n");
  });

  test("a run-to-completion pod succeeds; a failing one with Never fails", async () => {
    await createPod("ok", [{ name: "c", command: ["sh", "-c", "echo done"] }], { restartPolicy: "Never" });
    await createPod("bad", [{ name: "c", command: ["false"] }], { restartPolicy: "Never" });
    await waitFor("ok succeeded", () => pod("ok")?.status?.phase === "Succeeded", patient);
    await waitFor("bad failed", () => pod("bad")?.status?.phase === "Failed", patient);
    expect(pod("ok")!.status!.containerStatuses![0]!.state?.terminated?.reason).toBe("Completed");
  });

  test("init containers run first, in order", async () => {
    await createPod("init", [{ name: "main", command: ["sh", "-c", "cat order; sleep 30"] }], {
      initContainers: [
        { name: "one", command: ["sh", "-c", "echo one >> order"] },
        { name: "two", command: ["sh", "-c", "echo two >> order"] },
      ],
    });
    await waitFor("running", () => pod("init")?.status?.phase === "Running" && pod("init")?.status?.containerStatuses?.[0]?.state?.running, patient);
    const p = pod("init")!;
    expect(p.status?.conditions?.find((c) => c.type === "Initialized")?.status).toBe("True");
    expect(p.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual(["Completed", "Completed"]);
    const root = join(dir, "pods", p.metadata.uid!, "root");
    expect(readFileSync(join(root, "order"), "utf8")).toBe("one\ntwo\n");
  });

  test("a failing liveness probe restarts the container", async () => {
    await createPod("hung", [{ name: "c", command: ["sleep", "60"], livenessProbe: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 1 } }]);
    const restarted = await waitFor("restart", () => (pod("hung")?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && pod("hung"), patient);
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(143);
  });

  test("graceful deletion: SIGTERM to the group first, then the final delete", async () => {
    const marker = join(dir, "got-term");
    const trapped = join(dir, "trapped");
    await createPod("graceful", [{ name: "c", command: ["sh", "-c", `trap 'echo term > ${marker}; exit 0' TERM; touch ${trapped}; while true; do sleep 0.1; done`] }]);
    await waitFor("running", () => pod("graceful")?.status?.containerStatuses?.[0]?.state?.running, patient);
    await waitFor("the shell's TERM trap", () => existsSync(trapped));
    await client.delete(Pods, "default", "graceful");
    await waitFor("deleted", () => pod("graceful") === undefined, patient);
    expect(readFileSync(marker, "utf8")).toBe("term\n");
    expect(client.deletes.at(-1)?.opts?.gracePeriodSeconds).toBe(0);
    expect(runtime.list().length).toBe(0);
  });

  test("no command, or a missing ConfigMap: a clear waiting reason, then it starts once the ConfigMap exists", async () => {
    await createPod("noimage", [{ name: "c", image: "nginx" }]);
    await createPod("needs-cm", [{ name: "c", command: ["sh", "-c", "echo $MODE; sleep 30"], env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "cfg", key: "mode" } } }] }]);
    const w1 = await waitFor("no command", () => pod("noimage")?.status?.containerStatuses?.[0]?.state?.waiting, patient);
    expect(w1.reason).toBe("CreateContainerError");
    expect(w1.message).toContain("has no command");
    const w2 = await waitFor("config error", () => pod("needs-cm")?.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError" && pod("needs-cm")!.status!.containerStatuses![0]!.state!.waiting!, patient);
    expect(w2.message).toContain(`configmap "cfg" not found`);
    await client.create(ConfigMaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { mode: "turbo" } });
    await waitFor("started", () => pod("needs-cm")?.status?.containerStatuses?.[0]?.state?.running, patient);
  });

  test("an agent restart adopts running processes: same PIDs, same restart counts; the server being down does not stop pods", async () => {
    await createPod("keep", [{ name: "c", command: ["sleep", "60"] }]);
    await waitFor("running", () => pod("keep")?.status?.containerStatuses?.[0]?.state?.running, patient);
    const pid = runtime.list()[0]!.pid!;
    pgids.add(pid);
    client.down = true;
    stopKubelet();
    await startKubelet(false);
    // While the server is down nothing is known about pods, and nothing is killed.
    // Negative assertion: nothing may happen for 300 ms (three kubelet ticks).
    await Bun.sleep(300);
    expect(runtime.list()[0]?.pid).toBe(pid);
    client.down = false;
    await waitFor("synced", () => kubelet.hasSynced(), patient);
    // Negative assertion: the adopted process is neither killed nor restarted for 700 ms (a resync and several ticks).
    await Bun.sleep(700);
    const adopted = runtime.list();
    expect(adopted.length).toBe(1);
    expect(adopted[0]!.pid).toBe(pid);
    expect(adopted[0]!.exit).toBeUndefined();
    expect(pod("keep")!.status!.containerStatuses![0]!.restartCount).toBe(0);
    process.kill(pid, 0);
  });

  test("restarted while the server is down, the agent still restarts crashed containers of the pods it remembers", async () => {
    const marker = join(dir, "runs");
    await createPod("flaky", [{ name: "c", command: ["sh", "-c", `echo run >> ${marker}; sleep 0.3; exit 1`] }]);
    await waitFor("first run", () => existsSync(marker) && readFileSync(marker, "utf8").length > 0, patient);
    client.down = true;
    stopKubelet();
    await startKubelet(false);
    const runsBefore = readFileSync(marker, "utf8").split("\n").length;
    await waitFor("more runs while offline", () => readFileSync(marker, "utf8").split("\n").length >= runsBefore + 2, { timeoutMs: 15_000 });
    expect(kubelet.hasSynced()).toBe(false);
    client.down = false;
    await waitFor("synced", () => kubelet.hasSynced(), patient);
  });

  test("containers of pods deleted while the agent was away are removed", async () => {
    await createPod("gone", [{ name: "c", command: ["sleep", "60"] }]);
    await waitFor("running", () => pod("gone")?.status?.containerStatuses?.[0]?.state?.running, patient);
    const pid = runtime.list()[0]!.pid!;
    pgids.add(pid);
    stopKubelet();
    await client.delete(Pods, "default", "gone", { gracePeriodSeconds: 0 });
    await startKubelet();
    await waitFor("orphan killed", () => runtime.list().length === 0, patient);
    expect(existsSync(join(dir, "pods"))).toBe(true);
  });
});
