import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { jsonPatch, mergePatch, parsePointer, strategicMergePatch } from "../../src/api/patch.ts";

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("mergePatch (RFC 7386)", () => {
  // The examples of RFC 7386 appendix A.
  test.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])("%j + %j", (target, patch, want) => {
    expect(mergePatch(target, patch)).toEqual(want);
  });

  test("does not modify its inputs", () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: 2 } };
    mergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(patch).toEqual({ a: { c: 2 } });
  });
});

describe("jsonPatch (RFC 6902)", () => {
  const doc = { foo: "bar", list: [1, 2, 3], nested: { "a/b": 1, "m~n": 2 } };

  test("add, remove, replace", () => {
    expect(jsonPatch(doc, [{ op: "add", path: "/baz", value: "qux" }])).toEqual({ ...doc, baz: "qux" });
    expect(jsonPatch(doc, [{ op: "add", path: "/list/1", value: 9 }])).toMatchObject({ list: [1, 9, 2, 3] });
    expect(jsonPatch(doc, [{ op: "add", path: "/list/-", value: 4 }])).toMatchObject({ list: [1, 2, 3, 4] });
    expect(jsonPatch(doc, [{ op: "remove", path: "/list/0" }])).toMatchObject({ list: [2, 3] });
    expect(jsonPatch(doc, [{ op: "remove", path: "/foo" }])).not.toHaveProperty("foo");
    expect(jsonPatch(doc, [{ op: "replace", path: "/foo", value: { x: 1 } }])).toMatchObject({ foo: { x: 1 } });
    expect(jsonPatch(doc, [{ op: "replace", path: "", value: 5 }])).toBe(5);
    expect(doc.list).toEqual([1, 2, 3]);
  });

  test("escapes ~0 and ~1", () => {
    expect(parsePointer("/a~1b/m~0n")).toEqual(["a/b", "m~n"]);
    expect(jsonPatch(doc, [{ op: "replace", path: "/nested/a~1b", value: 10 }])).toMatchObject({ nested: { "a/b": 10, "m~n": 2 } });
    expect(jsonPatch(doc, [{ op: "remove", path: "/nested/m~0n" }])).toMatchObject({ nested: { "a/b": 1 } });
  });

  test("move, copy, test", () => {
    expect(jsonPatch(doc, [{ op: "move", from: "/foo", path: "/moved" }])).toMatchObject({ moved: "bar" });
    expect(jsonPatch(doc, [{ op: "move", from: "/list/0", path: "/list/-" }])).toMatchObject({ list: [2, 3, 1] });
    expect(jsonPatch(doc, [{ op: "copy", from: "/list", path: "/copy" }])).toMatchObject({ copy: [1, 2, 3], list: [1, 2, 3] });
    expect(jsonPatch(doc, [{ op: "test", path: "/list", value: [1, 2, 3] }, { op: "add", path: "/ok", value: true }])).toMatchObject({ ok: true });
  });

  test("failures are 422 and apply nothing", () => {
    const original = structuredClone(doc);
    for (const ops of [
      [{ op: "test", path: "/foo", value: "nope" }],
      [{ op: "remove", path: "/missing" }],
      [{ op: "replace", path: "/missing", value: 1 }],
      [{ op: "add", path: "/missing/child", value: 1 }],
      [{ op: "add", path: "/list/7", value: 1 }],
      [{ op: "remove", path: "/list/3" }],
      [{ op: "add", path: "/list/x", value: 1 }],
      [{ op: "move", from: "/nested", path: "/nested/inner" }],
      [{ op: "add", path: "/ok", value: 1 }, { op: "remove", path: "/missing" }],
    ]) {
      expect(apiError(() => jsonPatch(doc, ops)).code).toBe(422);
    }
    expect(doc).toEqual(original);
  });

  test("malformed patches are 400", () => {
    for (const ops of [{}, [{ op: "add" }], [{ op: "add", path: "/a" }], [{ op: "move", path: "/a" }], [{ op: "frob", path: "/a" }], [{ op: "add", path: "a", value: 1 }]]) {
      expect(apiError(() => jsonPatch(doc, ops)).code).toBe(400);
    }
  });
});

describe("strategicMergePatch", () => {
  const deployment = {
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: "web", image: "web:1", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80, protocol: "TCP" }] },
            { name: "sidecar", image: "side:1" },
          ],
        },
      },
    },
    metadata: { finalizers: ["a"], labels: { x: "1" } },
  };

  test("containers merge by name", () => {
    const out = strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: "web", image: "web:2" }] } } } }) as typeof deployment;
    expect(out.spec.template.spec.containers).toHaveLength(2);
    expect(out.spec.template.spec.containers[0]).toMatchObject({ name: "web", image: "web:2", env: [{ name: "A", value: "1" }] });
    expect(out.spec.template.spec.containers[1]).toEqual({ name: "sidecar", image: "side:1" });
  });

  test("env by name, ports by containerPort, new items appended", () => {
    const out = strategicMergePatch(deployment, {
      spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "B", value: "2" }, { name: "A", value: "9" }], ports: [{ containerPort: 80, name: "http" }] }] } } },
    }) as typeof deployment;
    const web = out.spec.template.spec.containers[0];
    expect(web.env).toEqual([{ name: "A", value: "9" }, { name: "B", value: "2" }]);
    expect(web.ports).toEqual([{ containerPort: 80, protocol: "TCP", name: "http" } as { containerPort: number; protocol: string }]);
  });

  test("$patch delete and replace directives", () => {
    const del = strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } } }) as typeof deployment;
    expect(del.spec.template.spec.containers.map((c) => c.name)).toEqual(["web"]);
    const rep = strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: "only", image: "x" }, { $patch: "replace" }] } } } }) as typeof deployment;
    expect(rep.spec.template.spec.containers).toEqual([{ name: "only", image: "x" } as (typeof deployment.spec.template.spec.containers)[number]]);
    const obj = strategicMergePatch(deployment, { metadata: { labels: { $patch: "replace", y: "2" } } }) as typeof deployment;
    expect(obj.metadata.labels).toEqual({ y: "2" } as unknown as { x: string });
  });

  test("null deletes, scalars replace, finalizers merge as a set", () => {
    const out = strategicMergePatch(deployment, { spec: { replicas: 3 }, metadata: { labels: { x: null }, finalizers: ["b", "a"] } }) as typeof deployment;
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.labels).toEqual({} as { x: string });
    expect(out.metadata.finalizers).toEqual(["a", "b"]);
  });

  test("service ports merge by port", () => {
    const svc = { spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }, { name: "https", port: 443 }] } };
    const out = strategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }) as typeof svc;
    expect(out.spec.ports).toEqual([{ name: "http", port: 80, targetPort: 9090 }, { name: "https", port: 443 } as { name: string; port: number; targetPort: number }]);
  });

  test("unknown lists are replaced", () => {
    expect(strategicMergePatch({ args: ["a", "b"] }, { args: ["c"] })).toEqual({ args: ["c"] });
  });

  test("does not modify its inputs", () => {
    const before = structuredClone(deployment);
    strategicMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: "web", image: "web:2" }] } } } });
    expect(deployment).toEqual(before);
  });
});
