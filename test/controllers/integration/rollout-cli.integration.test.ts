// `skiff scale` and `skiff rollout ...` as a user runs them: the real CLI in a
// child process, over HTTPS with the server's admin kubeconfig.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { getCondition } from "../../../src/api/meta.ts";
import { DaemonSets, Deployments, ReplicaSets } from "../../../src/api/registry.ts";
import type { DaemonSet, Deployment, ReplicaSet } from "../../../src/api/types.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

const root = join(import.meta.dir, "../../..");
const bun = join(root, "node_modules/.bin/bun");

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({
    nodes: ["r1", "r2"],
    kubelet: { behaviour: (p) => (p.metadata.labels?.health === "never-ready" ? { phase: "Running", ready: false } : { phase: "Running", ready: true }) },
  });
});
afterAll(async () => {
  await c?.stop();
});

async function skiff(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([bun, join(root, "src/main.ts"), ...args, "--kubeconfig", c.server.kubeconfigPath], { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, SKIFF_LOG_LEVEL: "error" } });
  const timer = setTimeout(() => proc.kill(), 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

function manifest(name: string, labels: Record<string, string> = {}, progressDeadlineSeconds?: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas: 2,
      progressDeadlineSeconds,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...labels } }, spec: { containers: [{ name: "c", image: "img:1" }] } },
    },
  };
}

const rsCount = async (name: string) => (await c.client.list<ReplicaSet>(ReplicaSets, "default")).items.filter((rs) => rs.metadata.name?.startsWith(`${name}-`)).length;

describe("skiff rollout", () => {
  test("status waits for a rollout and reports success", async () => {
    await c.client.create(Deployments, manifest("fine"));
    const r = await skiff("rollout", "status", "deployment/fine", "--timeout", "20s");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").at(-1)).toBe('deployment "fine" successfully rolled out');
  }, 40_000);

  test("status exits non-zero when the progress deadline is exceeded", async () => {
    await c.client.create(Deployments, manifest("stuck", { health: "never-ready" }, 1));
    const r = await skiff("rollout", "status", "deploy/stuck", "--timeout", "20s");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
    expect(r.stdout).toContain('Waiting for deployment "stuck" rollout to finish: 0 of 2 updated replicas are available...');
    const d = await c.client.get<Deployment>(Deployments, "default", "stuck");
    expect(getCondition(d.status?.conditions, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
  }, 40_000);

  test("scale, pause, resume, restart, history and undo", async () => {
    expect((await skiff("scale", "deployment/fine", "--replicas", "3")).stdout.trim()).toBe("deployment.apps/fine scaled");
    await waitFor("3 replicas", async () => (await c.client.get<Deployment>(Deployments, "default", "fine")).status?.availableReplicas === 3);
    expect((await skiff("scale", "deployment/fine", "--replicas", "-1")).code).toBe(1);

    expect((await skiff("rollout", "pause", "deployment/fine")).stdout.trim()).toBe("deployment.apps/fine paused");
    await c.client.patch(Deployments, "default", "fine", { spec: { template: { spec: { containers: [{ name: "c", image: "img:2" }] } } } }, "strategic");
    await waitFor("paused condition", async () => getCondition((await c.client.get<Deployment>(Deployments, "default", "fine")).status?.conditions, "Progressing")?.reason === "DeploymentPaused");
    expect(await rsCount("fine")).toBe(1);

    expect((await skiff("rollout", "resume", "deployment/fine")).stdout.trim()).toBe("deployment.apps/fine resumed");
    expect((await skiff("rollout", "status", "deployment/fine", "--timeout", "20s")).code).toBe(0);
    expect(await rsCount("fine")).toBe(2);

    expect((await skiff("rollout", "restart", "deployment/fine")).stdout.trim()).toBe("deployment.apps/fine restarted");
    expect((await skiff("rollout", "status", "deployment/fine", "--timeout", "20s")).code).toBe(0);
    expect(await rsCount("fine")).toBe(3);

    const history = await skiff("rollout", "history", "deployment/fine");
    expect(history.stdout).toContain("REVISION  CHANGE-CAUSE");
    expect(history.stdout).toMatch(/\n1 +<none>\n2 +<none>\n3 +<none>/);

    const undo = await skiff("rollout", "undo", "deployment/fine", "--to-revision", "1");
    expect(undo.stdout.trim()).toBe("deployment.apps/fine rolled back");
    expect((await skiff("rollout", "status", "deployment/fine", "--timeout", "20s")).code).toBe(0);
    const d = await c.client.get<Deployment>(Deployments, "default", "fine");
    expect(d.spec.template.spec.containers[0].image).toBe("img:1");
    expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("4");
    expect((await skiff("rollout", "undo", "deployment/fine", "--to-revision", "9")).stderr).toContain("unable to find specified revision 9");
  }, 90_000);

  test("DaemonSet: status, history and undo through ControllerRevisions", async () => {
    const ds: DaemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "agent:1" }] } } },
    };
    await c.client.create(DaemonSets, ds);
    expect((await skiff("rollout", "status", "daemonset/agent", "--timeout", "20s")).stdout).toContain('daemon set "agent" successfully rolled out');
    await c.client.patch(DaemonSets, "default", "agent", { spec: { template: { spec: { containers: [{ name: "c", image: "agent:2" }] } } } }, "strategic");
    expect((await skiff("rollout", "status", "ds/agent", "--timeout", "20s")).code).toBe(0);
    const history = await skiff("rollout", "history", "ds/agent");
    expect(history.stdout).toMatch(/daemonset.apps\/agent\nREVISION  CHANGE-CAUSE\n1 +<none>\n2 +<none>/);
    expect((await skiff("rollout", "undo", "ds/agent")).stdout.trim()).toBe("daemonset.apps/agent rolled back");
    expect((await skiff("rollout", "status", "ds/agent", "--timeout", "20s")).code).toBe(0);
    const back = await c.client.get<DaemonSet>(DaemonSets, "default", "agent");
    expect(back.spec.template.spec.containers[0].image).toBe("agent:1");
    await waitFor("revision 1 renumbered to 3", async () => (await skiff("rollout", "history", "ds/agent")).stdout.match(/\n2 +<none>\n3 +<none>/));
  }, 60_000);
});
