// The REST surface against a real (in-process) server: CRUD, CAS, generation,
// status isolation, selectors, paging, deletion, namespaces, bad input.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { configMap, deployment, pod, startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const cms = "/api/v1/namespaces/default/configmaps";

describe("authentication and public endpoints", () => {
  test("no or wrong token → 401 Status; health, version and CA are public", async () => {
    const anon = await t.server.app.fetch(new Request("http://x/api/v1/pods"));
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { kind: string }).kind).toBe("Status");
    const wrong = await t.server.app.fetch(new Request("http://x/api/v1/pods", { headers: { Authorization: "Bearer nope" } }));
    expect(wrong.status).toBe(401);
    for (const p of ["/healthz", "/readyz", "/livez", "/version", "/cacerts"]) {
      expect((await t.server.app.fetch(new Request(`http://x${p}`))).status).toBe(200);
    }
    const version = (await (await t.server.app.fetch(new Request("http://x/version"))).json()) as { gitVersion: string };
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+-skiff/);
  });
});

describe("discovery", () => {
  test("core, groups and resource lists", async () => {
    const api = await t.json("GET", "/api");
    expect(api.body.versions).toEqual(["v1"]);
    const apis = await t.json("GET", "/apis");
    const names = apis.body.groups.map((g: { name: string }) => g.name);
    expect(names).toContain("apps");
    expect(names).toContain("batch");
    const v1 = await t.json("GET", "/api/v1");
    const podsEntry = v1.body.resources.find((r: { name: string }) => r.name === "pods");
    expect(podsEntry).toMatchObject({ namespaced: true, kind: "Pod", shortNames: ["po"] });
    expect(podsEntry.verbs).toContain("watch");
    expect(v1.body.resources.map((r: { name: string }) => r.name)).toContain("pods/status");
    const apps = await t.json("GET", "/apis/apps/v1");
    expect(apps.body.resources.find((r: { name: string }) => r.name === "deployments/scale")).toMatchObject({ kind: "Scale", group: "autoscaling" });
    expect((await t.json("GET", "/apis/nope/v1")).status).toBe(404);
    expect((await t.json("GET", "/openapi/v2")).status).toBe(404);
  });

  test("bootstrap namespaces exist", async () => {
    const list = await t.json("GET", "/api/v1/namespaces");
    expect(list.body.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort()).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
  });
});

describe("CRUD", () => {
  test("create, get, list, update, delete a ConfigMap", async () => {
    const created = await t.json("POST", cms, configMap("crud"));
    expect(created.status).toBe(201);
    expect(created.body.metadata.uid).toBeString();
    expect(created.body.metadata.generation).toBe(1);
    const rv = created.body.metadata.resourceVersion;
    expect(Number(rv)).toBeGreaterThan(0);
    const got = await t.json("GET", `${cms}/crud`);
    expect(got.body).toEqual(created.body);
    expect((await t.json("POST", cms, configMap("crud"))).status).toBe(409);

    const updated = await t.json("PUT", `${cms}/crud`, { ...got.body, data: { k: "v2" } });
    expect(updated.status).toBe(200);
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    expect(updated.body.metadata.uid).toBe(created.body.metadata.uid);

    const list = await t.json("GET", cms);
    expect(list.body.kind).toBe("ConfigMapList");
    expect(list.body.apiVersion).toBe("v1");
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(updated.body.metadata.resourceVersion));
    expect(list.body.items.some((i: { metadata: { name: string } }) => i.metadata.name === "crud")).toBe(true);

    const deleted = await t.json("DELETE", `${cms}/crud`);
    expect(deleted.status).toBe(200);
    expect((await t.json("GET", `${cms}/crud`)).status).toBe(404);
    const nf = await t.json("GET", `${cms}/crud`);
    expect(nf.body).toMatchObject({ kind: "Status", reason: "NotFound", code: 404, message: 'configmaps "crud" not found' });
  });

  test("several kinds: Secret, Service, Node, Deployment, Job", async () => {
    const secret = await t.json("POST", "/api/v1/namespaces/default/secrets", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { a: "b" } });
    expect(secret.status).toBe(201);
    const svc = await t.json("POST", "/api/v1/namespaces/default/services", { apiVersion: "v1", kind: "Service", metadata: { name: "svc" }, spec: { selector: { a: "b" }, ports: [{ port: 80 }] } });
    expect(svc.status).toBe(201);
    const node = await t.json("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" }, status: { capacity: { cpu: "2" } } });
    expect(node.status).toBe(201);
    expect(node.body.status.capacity.cpu).toBe("2");
    const d = await t.json("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 2));
    expect(d.status).toBe(201);
    const job = await t.json("POST", "/apis/batch/v1/namespaces/default/jobs", { apiVersion: "batch/v1", kind: "Job", metadata: { name: "j" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } } } });
    expect(job.status).toBe(201);
  });

  test("generateName and namespace filled from the path", async () => {
    const res = await t.json("POST", cms, { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "gen-" } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.name).toMatch(/^gen-.{5}$/);
    expect(res.body.metadata.namespace).toBe("default");
    const mismatch = await t.json("POST", cms, configMap("x", "kube-system"));
    expect(mismatch.status).toBe(400);
  });

  test("update is compare-and-swap on resourceVersion", async () => {
    const a = (await t.json("POST", cms, configMap("cas"))).body;
    const first = await t.json("PUT", `${cms}/cas`, { ...a, data: { k: "1" } });
    expect(first.status).toBe(200);
    const stale = await t.json("PUT", `${cms}/cas`, { ...a, data: { k: "2" } });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");
    const { resourceVersion: _, ...meta } = a.metadata;
    const unconditional = await t.json("PUT", `${cms}/cas`, { ...a, metadata: meta, data: { k: "3" } });
    expect(unconditional.status).toBe(200);
    expect(unconditional.body.data).toEqual({ k: "3" });
  });

  test("generation moves with spec only; status subresource is isolated", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/gen";
    const d = (await t.json("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("gen", 1))).body;
    const labeled = await t.json("PATCH", path, { metadata: { labels: { x: "y" } } }, { "Content-Type": "application/merge-patch+json" });
    expect(labeled.body.metadata.generation).toBe(1);
    const scaled = await t.json("PATCH", path, { spec: { replicas: 4 }, status: { replicas: 42 } }, { "Content-Type": "application/merge-patch+json" });
    expect(scaled.body.metadata.generation).toBe(2);
    expect(scaled.body.status?.replicas).not.toBe(42);
    const status = await t.json("PUT", `${path}/status`, { ...scaled.body, spec: { ...d.spec, replicas: 9 }, status: { replicas: 3, observedGeneration: 2 } });
    expect(status.status).toBe(200);
    expect(status.body.spec.replicas).toBe(4);
    expect(status.body.status.replicas).toBe(3);
    expect(status.body.metadata.generation).toBe(2);
    const statusPatch = await t.json("PATCH", `${path}/status`, { status: { readyReplicas: 1 } }, { "Content-Type": "application/merge-patch+json" });
    expect(statusPatch.body.status).toMatchObject({ replicas: 3, readyReplicas: 1 });
  });

  test("patch types: json-patch, strategic merge, and a patch resourceVersion conflict", async () => {
    await t.json("POST", cms, configMap("patchme", "default", { a: "1" }));
    const jp = await t.json("PATCH", `${cms}/patchme`, [{ op: "add", path: "/data/n", value: "x" }], { "Content-Type": "application/json-patch+json" });
    expect(jp.body.data).toEqual({ k: "v", n: "x" });
    const bad = await t.json("PATCH", `${cms}/patchme`, [{ op: "test", path: "/data/n", value: "nope" }], { "Content-Type": "application/json-patch+json" });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const smp = await t.json("PATCH", `${cms}/patchme`, { metadata: { labels: { b: "2" } } }, { "Content-Type": "application/strategic-merge-patch+json" });
    expect(smp.body.metadata.labels).toEqual({ a: "1", b: "2" });
    const stale = await t.json("PATCH", `${cms}/patchme`, { metadata: { resourceVersion: "1" }, data: { z: "z" } }, { "Content-Type": "application/merge-patch+json" });
    expect(stale.status).toBe(409);
    const asJson = await t.json("PATCH", `${cms}/patchme`, { data: {} });
    expect(asJson.status).toBe(415);
  });

  test("scale subresource", async () => {
    await t.json("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("sc", 2));
    const scale = await t.json("GET", "/apis/apps/v1/namespaces/default/deployments/sc/scale");
    expect(scale.body).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 2 }, status: { selector: "app=sc" } });
    const put = await t.json("PUT", "/apis/apps/v1/namespaces/default/deployments/sc/scale", { ...scale.body, spec: { replicas: 5 } });
    expect(put.body.spec.replicas).toBe(5);
    const patched = await t.json("PATCH", "/apis/apps/v1/namespaces/default/deployments/sc/scale", { spec: { replicas: 1 } }, { "Content-Type": "application/merge-patch+json" });
    expect(patched.body.spec.replicas).toBe(1);
    const d = await t.json("GET", "/apis/apps/v1/namespaces/default/deployments/sc");
    expect(d.body.spec.replicas).toBe(1);
    expect(d.body.metadata.generation).toBe(3);
    const neg = await t.json("PUT", "/apis/apps/v1/namespaces/default/deployments/sc/scale", { spec: { replicas: -1 } });
    expect(neg.status).toBe(422);
  });

  test("binding sets spec.nodeName once", async () => {
    await t.json("POST", "/api/v1/namespaces/default/pods", pod("bindme"));
    const bind = (node: string) => t.json("POST", "/api/v1/namespaces/default/pods/bindme/binding", { apiVersion: "v1", kind: "Binding", metadata: { name: "bindme" }, target: { kind: "Node", name: node } });
    expect((await bind("n1")).status).toBe(201);
    expect((await t.json("GET", "/api/v1/namespaces/default/pods/bindme")).body.spec.nodeName).toBe("n1");
    const again = await bind("n2");
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('already assigned to node "n1"');
    expect((await t.json("POST", "/api/v1/namespaces/default/pods/nope/binding", { target: { name: "n1" } })).status).toBe(404);
  });

  test("a binding to a missing or malformed node name is Invalid and binds nothing", async () => {
    await t.json("POST", "/api/v1/namespaces/default/pods", pod("bind-bad"));
    for (const target of [{}, { name: "" }, { name: 7 }, { name: "Not_A_Node" }]) {
      const res = await t.json("POST", "/api/v1/namespaces/default/pods/bind-bad/binding", { metadata: { name: "bind-bad" }, target });
      expect(res.status).toBe(422);
      expect(res.body.details.causes[0].field).toBe("target.name");
    }
    expect((await t.json("GET", "/api/v1/namespaces/default/pods/bind-bad")).body.spec.nodeName).toBeUndefined();
  });

  test("a binding naming another pod's uid is refused and binds nothing", async () => {
    const created = await t.json("POST", "/api/v1/namespaces/default/pods", pod("bind-uid"));
    const stale = await t.json("POST", "/api/v1/namespaces/default/pods/bind-uid/binding", { metadata: { name: "bind-uid", uid: "not-this-pod" }, target: { name: "n1" } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain("UID");
    expect((await t.json("GET", "/api/v1/namespaces/default/pods/bind-uid")).body.spec.nodeName).toBeUndefined();
    await t.server.client.bind("default", "bind-uid", "n1", created.body.metadata.uid);
    expect((await t.json("GET", "/api/v1/namespaces/default/pods/bind-uid")).body.spec.nodeName).toBe("n1");
  });
});

describe("selectors and paging", () => {
  test("label and field selectors", async () => {
    for (const [name, tier] of [["sel-a", "web"], ["sel-b", "db"], ["sel-c", "web"]]) await t.json("POST", cms, configMap(name, "default", { tier, group: "sel" }));
    const names = async (q: string) => (await t.json("GET", `${cms}?${q}`)).body.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort();
    expect(await names("labelSelector=tier%3Dweb")).toEqual(["sel-a", "sel-c"]);
    expect(await names("labelSelector=group%3Dsel,tier!%3Dweb")).toEqual(["sel-b"]);
    expect(await names("labelSelector=tier%20in%20(db)")).toEqual(["sel-b"]);
    expect(await names("labelSelector=group%3Dsel&fieldSelector=metadata.name%3Dsel-c")).toEqual(["sel-c"]);
    expect((await t.json("GET", `${cms}?labelSelector=%3D%3D%3D`)).status).toBe(400);
    expect((await t.json("GET", `${cms}?fieldSelector=spec.bogus%3D1`)).status).toBe(400);
    await t.json("POST", "/api/v1/namespaces/default/pods", { ...pod("on-n9"), spec: { ...pod("x").spec, nodeName: "n9" } });
    const onNode = await t.json("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn9");
    expect(onNode.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(["on-n9"]);
  });

  test("limit and continue walk a consistent snapshot", async () => {
    await t.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "paging" } });
    for (let i = 0; i < 7; i++) await t.json("POST", "/api/v1/namespaces/paging/configmaps", configMap(`p${i}`, "paging"));
    const seen: string[] = [];
    let cont = "";
    let pages = 0;
    let firstRv = "";
    do {
      const page = await t.json("GET", `/api/v1/namespaces/paging/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`);
      expect(page.status).toBe(200);
      firstRv ||= page.body.metadata.resourceVersion;
      expect(page.body.metadata.resourceVersion).toBe(firstRv);
      seen.push(...page.body.items.map((i: { metadata: { name: string } }) => i.metadata.name));
      cont = page.body.metadata.continue ?? "";
      if (pages === 0) await t.json("POST", "/api/v1/namespaces/paging/configmaps", configMap("zz-late", "paging"));
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    expect((await t.json("GET", "/api/v1/namespaces/paging/configmaps?limit=x")).status).toBe(400);
    expect((await t.json("GET", "/api/v1/namespaces/paging/configmaps?continue=garbage")).status).toBe(400);
  });
});

describe("deletion", () => {
  test("finalizers hold an object until an update empties them", async () => {
    await t.json("POST", cms, { ...configMap("fin"), metadata: { name: "fin", finalizers: ["example.com/hold"] } });
    const del = await t.json("DELETE", `${cms}/fin`);
    expect(del.status).toBe(200);
    const held = await t.json("GET", `${cms}/fin`);
    expect(held.body.metadata.deletionTimestamp).toBeString();
    const addMore = await t.json("PATCH", `${cms}/fin`, { metadata: { finalizers: ["example.com/hold", "x/y"] } }, { "Content-Type": "application/merge-patch+json" });
    expect(addMore.status).toBe(422);
    const release = await t.json("PATCH", `${cms}/fin`, { metadata: { finalizers: null } }, { "Content-Type": "application/merge-patch+json" });
    expect(release.status).toBe(200);
    expect((await t.json("GET", `${cms}/fin`)).status).toBe(404);
  });

  test("foreground and orphan propagation add finalizers", async () => {
    await t.json("POST", cms, configMap("fg"));
    await t.json("DELETE", `${cms}/fg`, { propagationPolicy: "Foreground" });
    expect((await t.json("GET", `${cms}/fg`)).body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    await t.json("POST", cms, configMap("orph"));
    await t.json("DELETE", `${cms}/orph?propagationPolicy=Orphan`);
    expect((await t.json("GET", `${cms}/orph`)).body.metadata.finalizers).toEqual(["orphan"]);
  });

  test("bound pods terminate gracefully until a 0-second delete; unbound pods go at once", async () => {
    const pods = "/api/v1/namespaces/default/pods";
    await t.json("POST", pods, pod("unbound"));
    await t.json("DELETE", `${pods}/unbound`);
    expect((await t.json("GET", `${pods}/unbound`)).status).toBe(404);

    await t.json("POST", pods, { ...pod("bound"), spec: { ...pod("x").spec, nodeName: "n1" } });
    const first = await t.json("DELETE", `${pods}/bound`);
    expect(first.body.metadata.deletionTimestamp).toBeString();
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await t.json("GET", `${pods}/bound`)).status).toBe(200);
    const status = await t.json("PATCH", `${pods}/bound/status`, { status: { phase: "Running" } }, { "Content-Type": "application/merge-patch+json" });
    expect(status.status).toBe(200);
    await t.json("DELETE", `${pods}/bound?gracePeriodSeconds=0`);
    expect((await t.json("GET", `${pods}/bound`)).status).toBe(404);
  });

  test("preconditions and deletecollection", async () => {
    const obj = (await t.json("POST", cms, configMap("pre"))).body;
    const wrong = await t.json("DELETE", `${cms}/pre`, { preconditions: { uid: "other" } });
    expect(wrong.status).toBe(409);
    const right = await t.json("DELETE", `${cms}/pre`, { preconditions: { uid: obj.metadata.uid } });
    expect(right.status).toBe(200);

    for (const n of ["dc1", "dc2", "keep"]) await t.json("POST", cms, configMap(n, "default", { dc: n === "keep" ? "no" : "yes" }));
    const dc = await t.json("DELETE", `${cms}?labelSelector=dc%3Dyes`);
    expect(dc.status).toBe(200);
    expect(dc.body.items.length).toBe(2);
    expect((await t.json("GET", `${cms}/keep`)).status).toBe(200);
    expect((await t.json("GET", `${cms}/dc1`)).status).toBe(404);
  });
});

describe("namespaces", () => {
  test("objects need an existing, active namespace", async () => {
    const missing = await t.json("POST", "/api/v1/namespaces/ghost/configmaps", configMap("x", "ghost"));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('namespaces "ghost" not found');

    await t.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    await t.json("POST", "/api/v1/namespaces/doomed/configmaps", configMap("inside", "doomed"));
    const del = await t.json("DELETE", "/api/v1/namespaces/doomed");
    expect(del.body.status.phase).toBe("Terminating");
    const ns = (await t.json("GET", "/api/v1/namespaces/doomed")).body;
    expect(ns.spec.finalizers).toEqual(["kubernetes"]);
    const refused = await t.json("POST", "/api/v1/namespaces/doomed/configmaps", configMap("late", "doomed"));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain("because it is being terminated");
    // The namespace controller's last step: empty spec.finalizers through /finalize.
    const fin = await t.json("PUT", "/api/v1/namespaces/doomed/finalize", { ...ns, spec: { finalizers: [] } });
    expect(fin.status).toBe(200);
    expect((await t.json("GET", "/api/v1/namespaces/doomed")).status).toBe(404);
  });
});

describe("bad input never reaches the store", () => {
  test("malformed, wrong, oversized and unsupported bodies", async () => {
    await t.json("POST", cms, configMap("bad-target"));
    const before = t.server.store.currentRevision();
    const cases: [string, string, string | undefined, Record<string, string>, number][] = [
      ["POST", cms, "{not json", {}, 400],
      ["POST", cms, "a: [unclosed", { "Content-Type": "application/yaml" }, 400],
      ["POST", cms, JSON.stringify({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }), {}, 400],
      ["POST", cms, JSON.stringify({ apiVersion: "apps/v1", kind: "ConfigMap", metadata: { name: "x" } }), {}, 400],
      ["POST", cms, JSON.stringify([1, 2]), {}, 400],
      ["POST", cms, JSON.stringify("str"), {}, 400],
      ["POST", cms, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_Valid" } }), {}, 422],
      ["POST", cms, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: {} }), {}, 422],
      ["POST", cms, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ok", labels: { "bad key!": "v" } } }), {}, 422],
      ["POST", cms, "x=1", { "Content-Type": "application/x-www-form-urlencoded" }, 415],
      ["POST", cms, "x".repeat(3 * 1024 * 1024 + 10), {}, 413],
      ["PUT", `${cms}/bad-target`, JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other" } }), {}, 400],
      ["PATCH", `${cms}/bad-target`, "{oops", { "Content-Type": "application/merge-patch+json" }, 400],
      ["PATCH", `${cms}/bad-target`, JSON.stringify([{ op: "remove", path: "/nope/x" }]), { "Content-Type": "application/json-patch+json" }, 422],
      ["PATCH", `${cms}/bad-target`, JSON.stringify({ metadata: { name: "renamed" } }), { "Content-Type": "application/merge-patch+json" }, 400],
      ["DELETE", `${cms}/bad-target?gracePeriodSeconds=abc`, undefined, {}, 400],
      ["POST", "/api/v1/namespaces/default/pods", JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } }), {}, 422],
      ["GET", "/api/v1/namespaces/default/widgets", undefined, {}, 404],
      ["POST", "/api/v1/namespaces/default/pods/x/unknownsub", "{}", {}, 404],
    ];
    for (const [method, path, body, headers, code] of cases) {
      const res = await t.req(method, path, body, headers);
      const status = (await res.json()) as { kind: string; code: number; details?: { causes?: unknown[] } };
      const expected = method === "PATCH" && code === 422 ? [400, 422] : [code];
      if (!expected.includes(res.status)) throw new Error(`${method} ${path} ${body?.slice(0, 60)}: got ${res.status}, want ${code}: ${JSON.stringify(status)}`);
      expect(status.kind).toBe("Status");
      expect(status.code).toBe(res.status);
      if (res.status === 422 && method === "POST") expect(status.details?.causes?.length).toBeGreaterThan(0);
    }
    expect(t.server.store.currentRevision()).toBe(before);
  });

  test("over HTTPS, a body of any size past the limit gets a 413 Status, declared or chunked", async () => {
    const before = t.server.store.currentRevision();
    const big = "x".repeat(10 * 1024 * 1024);
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024 * 1024)));
        c.close();
      },
    });
    for (const body of [big, chunked]) {
      const res = await fetch(`${t.server.url}${cms}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${t.server.adminToken}`, "Content-Type": "application/json" },
        body,
        tls: { ca: t.server.caPem },
      });
      expect(res.status).toBe(413);
      const status = (await res.json()) as { kind: string; reason: string };
      expect(status).toMatchObject({ kind: "Status", reason: "RequestEntityTooLarge" });
    }
    expect(t.server.store.currentRevision()).toBe(before);
  });
});

describe("YAML and tables", () => {
  test("YAML in, YAML out", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  greeting: hello\n";
    const res = await t.req("POST", cms, yaml, { "Content-Type": "application/yaml", Accept: "application/yaml" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toContain("yaml");
    const text = await res.text();
    expect(text).toContain("greeting: hello");
    expect(text).toContain("name: from-yaml");
    const err = await t.req("GET", `${cms}/nope`, undefined, { Accept: "application/yaml" });
    expect(await err.text()).toContain("reason: NotFound");
  });

  test("server-side tables for kubectl", async () => {
    const res = await t.json("GET", "/api/v1/namespaces", undefined, { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    expect(res.body.kind).toBe("Table");
    expect(res.body.columnDefinitions[0].name).toBe("Name");
    expect(res.body.columnDefinitions.map((c: { name: string }) => c.name)).toContain("STATUS");
    const row = res.body.rows.find((r: { cells: string[] }) => r.cells[0] === "default");
    expect(row.cells).toContain("Active");
    expect(row.object.metadata.name).toBe("default");
  });
});

describe("metrics", () => {
  test("request counts and store revision", async () => {
    const text = await (await t.req("GET", "/metrics")).text();
    expect(text).toMatch(/apiserver_request_total\{verb="create",resource="configmaps",code="201"\} \d+/);
    expect(text).toContain(`skiff_store_revision ${t.server.store.currentRevision()}`);
    expect(text).toMatch(/skiff_store_transactions \d+/);
    expect(text.match(/^skiff_store_revision /gm)).toHaveLength(1);
  });
});

describe("protected namespaces and single-object tables", () => {
  test("default, kube-system and kube-public may not be deleted", async () => {
    for (const ns of ["default", "kube-system", "kube-public"]) {
      const res = await t.json("DELETE", `/api/v1/namespaces/${ns}`);
      expect(res.status).toBe(403);
      expect(res.body.message).toContain("may not be deleted");
    }
    expect((await t.json("GET", "/api/v1/namespaces/default")).body.status.phase).toBe("Active");
  });

  test("GET of one object honours the Table Accept header", async () => {
    const res = await t.json("GET", "/api/v1/namespaces/default", undefined, { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    expect(res.body.kind).toBe("Table");
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0].cells.slice(0, 2)).toEqual(["default", "Active"]);
  });
});
