import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../src/api/types.ts";
import { filterEvent, parseResourceVersion } from "../../src/server/watch.ts";

const obj = (team: string, rv: number): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", labels: { team }, resourceVersion: String(rv) } });
const blue = (o: KubeObject) => o.metadata.labels?.team === "blue";

describe("filterEvent", () => {
  test("selector transitions", () => {
    expect(filterEvent({ type: "ADDED", key: "k", revision: 1, object: obj("blue", 1) }, blue)?.type).toBe("ADDED");
    expect(filterEvent({ type: "ADDED", key: "k", revision: 1, object: obj("red", 1) }, blue)).toBeUndefined();
    expect(filterEvent({ type: "MODIFIED", key: "k", revision: 2, object: obj("blue", 2), prevObject: obj("red", 1) }, blue)?.type).toBe("ADDED");
    expect(filterEvent({ type: "MODIFIED", key: "k", revision: 2, object: obj("red", 2), prevObject: obj("blue", 1) }, blue)?.type).toBe("DELETED");
    expect(filterEvent({ type: "MODIFIED", key: "k", revision: 2, object: obj("blue", 2), prevObject: obj("blue", 1) }, blue)?.type).toBe("MODIFIED");
    expect(filterEvent({ type: "MODIFIED", key: "k", revision: 2, object: obj("red", 2), prevObject: obj("red", 1) }, blue)).toBeUndefined();
    expect(filterEvent({ type: "DELETED", key: "k", revision: 3, object: obj("blue", 3), prevObject: obj("blue", 2) }, blue)?.type).toBe("DELETED");
    expect(filterEvent({ type: "DELETED", key: "k", revision: 3, object: obj("red", 3), prevObject: obj("red", 2) }, blue)).toBeUndefined();
  });

  test("resourceVersion parameter", () => {
    expect(parseResourceVersion(undefined)).toBeUndefined();
    expect(parseResourceVersion("0")).toBeUndefined();
    expect(parseResourceVersion("42")).toBe(42);
    expect(() => parseResourceVersion("-1")).toThrow();
    expect(() => parseResourceVersion("abc")).toThrow();
  });
});
