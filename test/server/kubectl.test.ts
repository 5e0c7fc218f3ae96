// The real kubectl against skiff: discovery, tables, apply, get -o json, watch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers.ts";
import { waitFor } from "../support/wait.ts";

const kubectlPath = "/usr/bin/kubectl";
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([kubectlPath, "--kubeconfig", join(t.dir, "admin.kubeconfig"), ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, HOME: t.dir } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe.skipIf(!existsSync(kubectlPath))("kubectl", () => {
  test("get ns prints the bootstrap namespaces as a table", async () => {
    const r = await kubectl("get", "ns");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+AGE/);
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) expect(r.stdout).toMatch(new RegExp(`^${ns}\\s+Active`, "m"));
  });

  test("apply creates, re-apply is unchanged, edits are configured", async () => {
    const manifest = join(t.dir, "m.yaml");
    const write = (replicas: number) =>
      writeFileSync(
        manifest,
        `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: prod
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox
        command: ["sleep", "1000"]
`,
      );
    write(2);
    let r = await kubectl("apply", "-f", manifest);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("configmap/app-config created");
    expect(r.stdout).toContain("deployment.apps/web created");
    r = await kubectl("apply", "-f", manifest);
    expect(r.stdout).toContain("configmap/app-config unchanged");
    expect(r.stdout).toContain("deployment.apps/web unchanged");
    write(3);
    r = await kubectl("apply", "-f", manifest);
    expect(r.stdout).toContain("deployment.apps/web configured");
    const d = await t.json("GET", "/apis/apps/v1/namespaces/default/deployments/web");
    expect(d.body.spec.replicas).toBe(3);
    expect(d.body.metadata.generation).toBe(2);
  });

  test("get -o json, get -A, scale, delete", async () => {
    await t.json("POST", "/api/v1/namespaces/kube-system/configmaps", { metadata: { name: "sys-cm" }, data: {} });
    let r = await kubectl("get", "configmaps", "-A");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE/);
    expect(r.stdout).toMatch(/kube-system\s+sys-cm/);
    r = await kubectl("get", "cm", "app-config", "-o", "json");
    expect(JSON.parse(r.stdout).data).toEqual({ mode: "prod" });
    r = await kubectl("get", "pods", "-o", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items).toEqual([]);
    r = await kubectl("get", "all");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("deployment.apps/web");
    r = await kubectl("scale", "deployment", "web", "--replicas=1");
    expect(r.stdout).toContain("scaled");
    r = await kubectl("delete", "configmap", "app-config");
    expect(r.stdout).toContain('configmap "app-config" deleted');
    r = await kubectl("get", "configmap", "app-config");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('configmaps "app-config" not found');
  });

  test("get -w streams changes", async () => {
    const watchers = async () => Number(/apiserver_registered_watchers (\d+)/.exec(await (await t.req("GET", "/metrics")).text())![1]);
    const before = await watchers();
    const proc = Bun.spawn([kubectlPath, "--kubeconfig", join(t.dir, "admin.kubeconfig"), "get", "configmaps", "-w", "--request-timeout=0"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, HOME: t.dir } });
    try {
      const reader = proc.stdout.getReader();
      let out = "";
      const deadline = Date.now() + 15_000;
      // Create only once kubectl's watch is open, so the line comes from the stream and not from the initial list.
      const create = waitFor("kubectl's watch", async () => (await watchers()) > before).then(() => t.json("POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "watched-cm" }, data: { a: "b" } }));
      let pending = reader.read();
      while (!/watched-cm\s+1\s+\S+\n/.test(out)) {
        if (Date.now() > deadline) throw new Error(`kubectl get -w printed: ${out}`);
        const chunk = await Promise.race([pending, Bun.sleep(500).then(() => undefined)]);
        if (!chunk) continue;
        if (chunk.done) break;
        out += new TextDecoder().decode(chunk.value);
        pending = reader.read();
      }
      await create;
      expect(out).toMatch(/watched-cm\s+1\s+/);
    } finally {
      proc.kill();
      await proc.exited;
    }
  }, 20_000);
});
