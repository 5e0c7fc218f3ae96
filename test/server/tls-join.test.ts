// HTTPS, the data dir's credentials, node join and node authorization, over
// the network as an agent would use them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ApiClient } from "../../src/client/api-client.ts";
import { loadKubeconfig } from "../../src/client/kubeconfig.ts";
import { caHash, certificateSans } from "../../src/server/pki.ts";
import { startServer } from "../../src/server/server.ts";
import { pod, startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ tlsSans: ["skiff.example.com", "10.9.8.7"] });
});
afterAll(async () => {
  await t.close();
});

const https = (path: string, init: RequestInit = {}) => fetch(`${t.server.url}${path}`, { ...init, tls: { ca: t.server.caPem } } as RequestInit);

async function joinAs(nodeName: string, nodeIP = "127.0.0.1"): Promise<{ token: string; certPem: string; keyPem: string }> {
  const joinToken = t.server.nodeToken.split("::")[1]!;
  const res = await https("/skiff/v1/join", { method: "POST", headers: { Authorization: `Bearer ${joinToken}`, "Content-Type": "application/json" }, body: JSON.stringify({ nodeName, nodeIP }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { token: string; certPem: string; keyPem: string };
}

describe("TLS and the data dir", () => {
  test("serves HTTPS with a certificate for the loopback names and --tls-san", async () => {
    expect(t.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await https("/healthz")).status).toBe(200);
    const sans = certificateSans(readFileSync(join(t.dir, "tls", "server.crt"), "utf8"));
    for (const want of ["dns:localhost", "ip:127.0.0.1", "dns:skiff.example.com", "ip:10.9.8.7"]) expect(sans).toContain(want);
    await expect(fetch(`${t.server.url}/healthz`)).rejects.toThrow();
  });

  test("secrets are 0600, the data dir 0700; the kubeconfig works", async () => {
    for (const f of ["admin.kubeconfig", "admin-token", "node-token", "tls/ca.key", "tls/server.key"]) {
      expect((statSync(join(t.dir, f)).mode & 0o777).toString(8)).toBe("600");
    }
    expect((statSync(t.dir).mode & 0o777).toString(8)).toBe("700");
    const creds = loadKubeconfig(join(t.dir, "admin.kubeconfig"));
    expect(creds.server).toBe(t.server.url);
    const client = new ApiClient({ baseUrl: creds.server, token: creds.token, caPem: creds.caPem });
    const res = await client.request("GET", "/api/v1/namespaces");
    expect(res.status).toBe(200);
  });

  test("node token pins the CA served at /cacerts", async () => {
    const ca = await (await https("/cacerts")).text();
    expect(ca).toBe(t.server.caPem);
    expect(t.server.nodeToken).toBe(`K10${await caHash(ca)}${t.server.nodeToken.slice(67)}`);
    expect(t.server.nodeToken).toMatch(/^K10[0-9a-f]{64}::node:.+$/);
  });

  test("a restart reuses CA, tokens and certificate; a new SAN reissues only the serving cert", async () => {
    const dir = t.dir + "-restart";
    const a = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, disableScheduler: true, controllers: [], disableAgent: true });
    const cert1 = readFileSync(join(dir, "tls", "server.crt"), "utf8");
    const first = { ca: a.caPem, admin: a.adminToken, node: a.nodeToken };
    await a.stop();
    const b = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, disableScheduler: true, controllers: [], disableAgent: true });
    expect({ ca: b.caPem, admin: b.adminToken, node: b.nodeToken }).toEqual(first);
    expect(readFileSync(join(dir, "tls", "server.crt"), "utf8")).toBe(cert1);
    await b.stop();
    const c = await startServer({ dataDir: dir, bindAddress: "127.0.0.1", port: 0, tlsSans: ["new.example"], disableScheduler: true, controllers: [], disableAgent: true });
    expect(c.caPem).toBe(first.ca);
    expect(certificateSans(readFileSync(join(dir, "tls", "server.crt"), "utf8"))).toContain("dns:new.example");
    const res = await fetch(`${c.url}/healthz`, { tls: { ca: c.caPem } } as RequestInit);
    expect(res.status).toBe(200);
    await c.stop();
    (await import("node:fs")).rmSync(dir, { recursive: true, force: true });
  });
});

describe("join", () => {
  test("wrong or missing join token → 401; bad body → 400", async () => {
    const post = (auth: string | undefined, body: unknown) =>
      https("/skiff/v1/join", { method: "POST", headers: { ...(auth ? { Authorization: auth } : {}), "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect((await post(undefined, { nodeName: "x" })).status).toBe(401);
    expect((await post("Bearer node:wrong", { nodeName: "x" })).status).toBe(401);
    expect((await post(`Bearer ${t.server.adminToken}`, { nodeName: "x" })).status).toBe(401);
    const joinToken = t.server.nodeToken.split("::")[1]!;
    expect((await post(`Bearer ${joinToken}`, { nodeName: "Bad_Name" })).status).toBe(400);
    expect((await post(`Bearer ${joinToken}`, { nodeName: "ok", nodeIP: "not-an-ip" })).status).toBe(400);
  });

  test("a good token gets a node credential and a kubelet certificate", async () => {
    const answer = await joinAs("edge-1", "10.1.2.3");
    expect(answer.token.length).toBeGreaterThanOrEqual(32);
    expect(certificateSans(answer.certPem)).toEqual(["dns:edge-1", "ip:10.1.2.3"]);
    // The kubelet certificate serves TLS verifiable with the cluster CA.
    const kubelet = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: { cert: answer.certPem, key: answer.keyPem }, fetch: () => new Response("kubelet") });
    try {
      const res = await fetch(`https://127.0.0.1:${kubelet.port}/`, { tls: { ca: t.server.caPem, checkServerIdentity: () => undefined } } as RequestInit);
      expect(await res.text()).toBe("kubelet");
    } finally {
      kubelet.stop(true);
    }
    const again = await joinAs("edge-1", "10.1.2.3");
    expect(again.token).toBe(answer.token);
    const creds = JSON.parse(readFileSync(join(t.dir, "node-credentials.json"), "utf8"));
    expect(Object.keys(creds)).toContain("edge-1");
    expect((statSync(join(t.dir, "node-credentials.json")).mode & 0o777).toString(8)).toBe("600");
  });
});

describe("node authorization", () => {
  test("a node may do a kubelet's work and nothing more", async () => {
    const { token } = await joinAs("n1");
    const as = (method: string, path: string, body?: unknown, contentType = "application/json") =>
      https(path, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": contentType } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const node = (name: string) => ({ apiVersion: "v1", kind: "Node", metadata: { name }, status: { capacity: { cpu: "1" } } });

    expect((await as("POST", "/api/v1/nodes", node("n1"))).status).toBe(201);
    const other = await as("POST", "/api/v1/nodes", node("n2"));
    expect(other.status).toBe(403);
    const status = (await other.json()) as { message: string; reason: string };
    expect(status.reason).toBe("Forbidden");
    expect(status.message).toBe('nodes "n2" is forbidden: User "system:node:n1" cannot create resource "nodes" in API group "" at the cluster scope');
    expect((await as("PATCH", "/api/v1/nodes/n1/status", { status: { allocatable: { cpu: "1" } } }, "application/merge-patch+json")).status).toBe(200);
    expect((await as("DELETE", "/api/v1/nodes/n1")).status).toBe(403);

    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { holderIdentity: "n1", leaseDurationSeconds: 40 } };
    expect((await as("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease)).status).toBe(201);
    expect((await as("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", { ...lease, metadata: { ...lease.metadata, name: "n2" } })).status).toBe(403);

    await t.json("POST", "/api/v1/namespaces/default/pods", { ...pod("mine"), spec: { ...pod("x").spec, nodeName: "n1" } });
    await t.json("POST", "/api/v1/namespaces/default/pods", { ...pod("theirs"), spec: { ...pod("x").spec, nodeName: "n2" } });
    expect((await as("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1")).status).toBe(200);
    expect((await as("GET", "/api/v1/namespaces/default/secrets")).status).toBe(200);
    expect((await as("PATCH", "/api/v1/namespaces/default/pods/mine/status", { status: { phase: "Running" } }, "application/merge-patch+json")).status).toBe(200);
    expect((await as("PATCH", "/api/v1/namespaces/default/pods/theirs/status", { status: { phase: "Running" } }, "application/merge-patch+json")).status).toBe(403);
    expect((await as("PATCH", "/api/v1/namespaces/default/pods/mine", { metadata: { labels: { a: "b" } } }, "application/merge-patch+json")).status).toBe(403);
    expect((await as("POST", "/api/v1/namespaces/default/pods", pod("new"))).status).toBe(403);
    expect((await as("DELETE", "/api/v1/namespaces/default/pods/theirs")).status).toBe(403);
    expect((await as("DELETE", "/api/v1/namespaces/default/pods/mine?gracePeriodSeconds=0")).status).toBe(200);
    expect((await as("GET", "/apis/apps/v1/deployments")).status).toBe(403);
    const event = { apiVersion: "v1", kind: "Event", metadata: { name: "e1", namespace: "default" }, involvedObject: { kind: "Pod", name: "mine", namespace: "default" }, reason: "Started", message: "m", type: "Normal" };
    expect((await as("POST", "/api/v1/namespaces/default/events", event)).status).toBe(201);
  });
});
