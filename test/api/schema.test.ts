import { describe, expect, test } from "bun:test";
import { kindShapes } from "../../src/api/kinds/shapes.ts";
import { Deployments, Pods, registry } from "../../src/api/registry.ts";
import { bool, checkShape, int, intOrString, list, map, obj, type Shape, str } from "../../src/api/schema.ts";
import type { KubeObject, Pod } from "../../src/api/types.ts";

const fields = (causes: { field?: string }[]) => causes.map((c) => c.field);

describe("checkShape", () => {
  const shape = obj({ name: str, n: int, ok: bool, port: intOrString, items: list(obj({ x: str })), labels: map(str) });

  test("accepts the declared types, absent and null fields, and unknown fields", () => {
    expect(checkShape({ name: "a", n: 1, ok: true, port: "http", items: [{ x: "y" }], labels: { a: "b" }, extra: [1, 2] }, shape)).toEqual([]);
    expect(checkShape({ port: 8080, name: null }, shape)).toEqual([]);
    expect(checkShape({}, shape)).toEqual([]);
  });

  test("reports each wrong type with its path", () => {
    const causes = checkShape({ name: 1, n: 1.5, ok: "yes", port: true, items: [{ x: 2 }, null, "s"], labels: { a: 1 } }, shape);
    expect(fields(causes)).toEqual(["name", "n", "ok", "port", "items[0].x", "items[1]", "items[2]", "labels[a]"]);
    expect(causes[0]).toMatchObject({ reason: "FieldValueInvalid", message: "Invalid value: 1: must be a string, not number" });
    expect(fields(checkShape({ items: {} }, shape))).toEqual(["items"]);
    expect(fields(checkShape([], shape))).toEqual(["<root>"]);
  });
});

describe("admission behind the shape check", () => {
  test("wrong types become field errors and are not defaulted", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "d" }, spec: { containers: [{ name: "a", ports: "80" }] } } as unknown as Pod;
    Pods.defaults?.(pod);
    expect(pod.spec.restartPolicy).toBeUndefined();
    expect(fields(Pods.validate?.(pod) ?? [])).toEqual(["spec.containers[0].ports"]);
    const d = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "x" }, spec: { replicas: "3" } } as unknown as KubeObject;
    expect(fields((Deployments as unknown as typeof registry[number]).validate?.(d) ?? [])).toEqual(["spec.replicas"]);
  });

  test("every kind has a shape", () => {
    for (const rt of registry) expect(kindShapes[rt.kind]).toBeDefined();
  });

  // Junk of every JSON type in every declared field: admission must answer with
  // field errors, never throw (a throw would be a 500 for bad input).
  const junk: unknown[] = [null, 0, -1, 1.5, "x", "", true, [], [null], [1], {}, { a: 1 }];
  function* junkObjects(shape: Shape, path: string[] = [], depth = 0): Generator<[string[], unknown]> {
    if (depth > 7 || shape.t !== "object") return;
    for (const [k, s] of Object.entries(shape.fields)) {
      for (const j of junk) yield [[...path, k], j];
      const inner = s.t === "list" || s.t === "map" ? s.of : s;
      if (inner.t === "object") yield* junkObjects(inner, [...path, k, ...(s.t === "object" ? [] : [s.t === "list" ? "0" : "k"])], depth + 1);
    }
  }
  function setPath(root: Record<string, unknown>, path: string[], value: unknown): void {
    let cur: Record<string, unknown> = root;
    path.slice(0, -1).forEach((p, i) => {
      const nextIsIndex = path[i + 1] === "0";
      cur[p] ??= nextIsIndex ? [] : {};
      cur = cur[p] as Record<string, unknown>;
    });
    cur[path[path.length - 1]] = value;
  }

  test("no kind's defaults, validation, columns or field getters throw on junk", () => {
    let runs = 0;
    for (const rt of registry) {
      for (const [path, value] of junkObjects(kindShapes[rt.kind])) {
        const obj = { apiVersion: "v1", kind: rt.kind, metadata: { name: "x", namespace: "d" } } as KubeObject;
        setPath(obj as unknown as Record<string, unknown>, path, structuredClone(value));
        const old = structuredClone(obj);
        runs++;
        try {
          rt.defaults?.(obj);
          rt.validate?.(obj, old);
          rt.validate?.(obj);
        } catch (err) {
          throw new Error(`${rt.kind} ${path.join(".")}=${JSON.stringify(value)}: ${(err as Error).message}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(5000);
  });
});
