// pods/log: proxied to the node's kubelet over TLS verified with the cluster
// CA, with the node's own credential; clear errors when that cannot work.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { pod, startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer;
let kubelet: ReturnType<typeof Bun.serve>;
let seen: { path: string; query: string; auth: string | null }[] = [];

beforeAll(async () => {
  t = await startTestServer();
  const joinToken = t.server.nodeToken.split("::")[1]!;
  const res = await t.server.app.fetch(
    new Request("http://x/skiff/v1/join", { method: "POST", headers: { Authorization: `Bearer ${joinToken}`, "Content-Type": "application/json" }, body: JSON.stringify({ nodeName: "logn", nodeIP: "127.0.0.1" }) }),
  );
  const creds = (await res.json()) as { token: string; certPem: string; keyPem: string };
  kubelet = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: creds.certPem, key: creds.keyPem },
    fetch(req) {
      const url = new URL(req.url);
      seen.push({ path: url.pathname, query: url.search, auth: req.headers.get("authorization") });
      if (req.headers.get("authorization") !== `Bearer ${creds.token}`) return new Response("no", { status: 401 });
      if (url.pathname.endsWith("/missing")) return Response.json({ kind: "Status", message: "container missing not found" }, { status: 404 });
      return new Response("line 1\nline 2\n", { headers: { "Content-Type": "text/plain" } });
    },
  });
  const node = (name: string, ip?: string, port?: number) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    status: { ...(ip ? { addresses: [{ type: "InternalIP", address: ip }] } : {}), ...(port ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });
  await t.json("POST", "/api/v1/nodes", node("logn", "127.0.0.1", kubelet.port));
  await t.json("POST", "/api/v1/nodes", node("noip"));
  const bound = (name: string, nodeName?: string, containers = [{ name: "c", image: "i" }]) => ({ ...pod(name), spec: { containers, ...(nodeName ? { nodeName } : {}) } });
  await t.json("POST", "/api/v1/namespaces/default/pods", bound("p1", "logn"));
  await t.json("POST", "/api/v1/namespaces/default/pods", bound("p2", "logn", [{ name: "a", image: "i" }, { name: "b", image: "i" }]));
  await t.json("POST", "/api/v1/namespaces/default/pods", bound("pending"));
  await t.json("POST", "/api/v1/namespaces/default/pods", bound("on-noip", "noip"));
});
afterAll(async () => {
  kubelet?.stop(true);
  await t.close();
});

describe("pods/log", () => {
  test("streams the kubelet's answer, passing options and the node credential", async () => {
    seen = [];
    const res = await t.req("GET", "/api/v1/namespaces/default/pods/p1/log?tailLines=5&timestamps=true&follow=false");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("line 1\nline 2\n");
    expect(seen[0]!.path).toBe("/containerLogs/default/p1/c");
    expect(new URLSearchParams(seen[0]!.query).get("tailLines")).toBe("5");
    expect(seen[0]!.auth).toStartWith("Bearer node.");
  });

  test("clear errors", async () => {
    const err = async (path: string) => {
      const res = await t.req("GET", path);
      return { code: res.status, message: ((await res.json()) as { message: string }).message };
    };
    const multi = await err("/api/v1/namespaces/default/pods/p2/log");
    expect(multi.code).toBe(400);
    expect(multi.message).toContain("choose one of: [a b]");
    expect((await t.req("GET", "/api/v1/namespaces/default/pods/p2/log?container=b")).status).toBe(200);
    expect((await err("/api/v1/namespaces/default/pods/p2/log?container=zzz")).code).toBe(400);
    const pending = await err("/api/v1/namespaces/default/pods/pending/log");
    expect(pending.code).toBe(400);
    expect(pending.message).toContain("not scheduled");
    expect((await err("/api/v1/namespaces/default/pods/on-noip/log")).code).toBe(503);
    expect((await err("/api/v1/namespaces/default/pods/nope/log")).code).toBe(404);
  });

  test("an unreachable kubelet is a 503", async () => {
    kubelet.stop(true);
    const res = await t.req("GET", "/api/v1/namespaces/default/pods/p1/log");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toContain("cannot reach the kubelet of node logn");
  });
});
