import { afterAll, describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import type { KubeObject } from "../../src/api/types.ts";
import { ApiClient, ndjsonLines, resourcePath } from "../../src/client/api-client.ts";
import type { ResourceRef } from "../../src/client/client.ts";

const pods: ResourceRef = { group: "", version: "v1", plural: "pods", namespaced: true, kind: "Pod" };
const deployments: ResourceRef = { group: "apps", version: "v1", plural: "deployments", namespaced: true, kind: "Deployment" };
const nodes: ResourceRef = { group: "", version: "v1", plural: "nodes", namespaced: false, kind: "Node" };

interface Seen {
  method: string;
  path: string;
  contentType: string | null;
  auth: string | null;
  body: string;
}

function recordingClient(respond: (req: Request) => Response = () => Response.json({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } })) {
  const seen: Seen[] = [];
  const client = new ApiClient({
    baseUrl: "http://in-process",
    token: "secret",
    fetch: async (req) => {
      const url = new URL(req.url);
      seen.push({ method: req.method, path: url.pathname + url.search, contentType: req.headers.get("content-type"), auth: req.headers.get("authorization"), body: await req.text() });
      return respond(req);
    },
  });
  return { client, seen };
}

describe("resourcePath", () => {
  test("core, grouped, namespaced, cluster-scoped, all namespaces", () => {
    expect(resourcePath(pods, "default")).toBe("/api/v1/namespaces/default/pods");
    expect(resourcePath(pods, undefined)).toBe("/api/v1/pods");
    expect(resourcePath(deployments, "prod", "web", "scale")).toBe("/apis/apps/v1/namespaces/prod/deployments/web/scale");
    expect(resourcePath(nodes, "ignored", "n1")).toBe("/api/v1/nodes/n1");
    expect(() => resourcePath(pods, "default", "")).toThrow(ApiError);
  });
});

describe("ApiClient requests", () => {
  test("verbs map to methods, paths, bodies and content types", async () => {
    const { client, seen } = recordingClient();
    const obj: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", resourceVersion: "3" } };
    await client.get(pods, "prod", "web");
    await client.list(pods, undefined, { labelSelector: "app=web", fieldSelector: "spec.nodeName=n1", limit: 5 });
    await client.create(pods, { ...obj, metadata: { name: "web" } });
    await client.update(pods, obj);
    await client.updateStatus(pods, obj);
    await client.patch(pods, "prod", "web", { metadata: { labels: { a: "b" } } });
    await client.patch(pods, "prod", "web", [{ op: "add", path: "/x", value: 1 }], "json", "status");
    await client.delete(pods, "prod", "web", { gracePeriodSeconds: 0, propagationPolicy: "Foreground" });
    await client.bind("prod", "web", "n1", "uid-1");
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "GET /api/v1/namespaces/prod/pods/web",
      "GET /api/v1/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dn1&limit=5",
      "POST /api/v1/namespaces/default/pods",
      "PUT /api/v1/namespaces/prod/pods/web",
      "PUT /api/v1/namespaces/prod/pods/web/status",
      "PATCH /api/v1/namespaces/prod/pods/web",
      "PATCH /api/v1/namespaces/prod/pods/web/status",
      "DELETE /api/v1/namespaces/prod/pods/web",
      "POST /api/v1/namespaces/prod/pods/web/binding",
    ]);
    expect(seen.every((s) => s.auth === "Bearer secret")).toBe(true);
    expect(seen[5].contentType).toBe("application/merge-patch+json");
    expect(seen[6].contentType).toBe("application/json-patch+json");
    expect(JSON.parse(seen[7].body)).toEqual({ apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, propagationPolicy: "Foreground" });
    expect(JSON.parse(seen[8].body).metadata).toEqual({ name: "web", namespace: "prod", uid: "uid-1" });
    expect(JSON.parse(seen[8].body).target).toEqual({ apiVersion: "v1", kind: "Node", name: "n1" });
  });

  test("a Status response becomes the matching ApiError", async () => {
    const { client } = recordingClient(() =>
      Response.json({ apiVersion: "v1", kind: "Status", status: "Failure", reason: "NotFound", code: 404, message: 'pods "x" not found', details: { name: "x", kind: "pods" } }, { status: 404 }),
    );
    const err = await client.get(pods, "default", "x").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(404);
    expect(err.reason).toBe("NotFound");
    expect(err.message).toBe('pods "x" not found');
  });

  test("a non-JSON error body still gives an ApiError with the HTTP code", async () => {
    const { client } = recordingClient(() => new Response("upstream broke", { status: 502 }));
    const err = await client.get(pods, "default", "x").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(502);
    expect(err.message).toBe("upstream broke");
  });
});

describe("ApiClient over the network", () => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      const url = new URL(req.url);
      if (url.searchParams.get("watch") !== "true") return Response.json({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "5" }, items: [] });
      srv.timeout(req, 0);
      const enc = new TextEncoder();
      const mode = url.searchParams.get("labelSelector");
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          const ev = (type: string, name: string, rv: string) => JSON.stringify({ type, object: { apiVersion: "v1", kind: "Pod", metadata: { name, resourceVersion: rv } } }) + "\n";
          // Split one event across two chunks: the parser must join them.
          const first = ev("ADDED", "a", "6");
          controller.enqueue(enc.encode(first.slice(0, 10)));
          controller.enqueue(enc.encode(first.slice(10) + ev("MODIFIED", "a", "7")));
          if (mode === "gone") {
            controller.enqueue(enc.encode(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Gone", message: "too old resource version: 1 (5)" } }) + "\n"));
            controller.close();
            return;
          }
          if (mode === "end") {
            controller.close();
            return;
          }
          // "hang": stay open until the client closes.
        },
      });
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    },
  });
  afterAll(() => server.stop(true));
  const client = new ApiClient({ baseUrl: `http://127.0.0.1:${server.port}` });

  test("list", async () => {
    const list = await client.list(pods, "default");
    expect(list.metadata.resourceVersion).toBe("5");
  });

  test("watch parses events split across chunks and ends with the stream", async () => {
    const seen: string[] = [];
    for await (const e of client.watch(pods, "default", { labelSelector: "end" })) seen.push(`${e.type} ${e.object.metadata.resourceVersion}`);
    expect(seen).toEqual(["ADDED 6", "MODIFIED 7"]);
  });

  test("an ERROR event is thrown as an ApiError", async () => {
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of client.watch(pods, "default", { labelSelector: "gone" })) seen.push(e.type);
    })().catch((e) => e);
    expect(seen).toEqual(["ADDED", "MODIFIED"]);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.reason).toBe("Gone");
    expect(err.code).toBe(410);
  });

  test("close() ends a watch that is waiting for events", async () => {
    const w = client.watch(pods, "default", { labelSelector: "hang" });
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of w) {
        seen.push(e.type);
        if (seen.length === 2) w.close();
      }
    })();
    await done;
    expect(seen).toEqual(["ADDED", "MODIFIED"]);
  });

  test("an unreachable server is a 503 with one clear message", async () => {
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = probe.port;
    probe.stop(true);
    const dead = new ApiClient({ baseUrl: `http://127.0.0.1:${port}` });
    const err = await dead.get(pods, "default", "x").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(503);
    expect(err.message).toStartWith(`cannot reach the API server at http://127.0.0.1:${port}`);
  });
});

test("ndjsonLines skips blank lines and keeps a final line without newline", async () => {
  const enc = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(enc.encode('{"a":1}\n\n{"b"'));
      c.enqueue(enc.encode(":2}"));
      c.close();
    },
  });
  const lines: string[] = [];
  for await (const l of ndjsonLines(stream)) lines.push(l);
  expect(lines).toEqual(['{"a":1}', '{"b":2}']);
});
