import { describe, expect, test } from "bun:test";
import type { StatusCause } from "../../src/api/types.ts";
import {
  configKeyErrors,
  dns1035LabelErrors,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  jsonEqual,
  portNameErrors,
  validateAnnotations,
  validateLabels,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../src/api/validation.ts";
import { validateIntOrPercent } from "../../src/api/intstr.ts";

const fields = (causes: StatusCause[]) => causes.map((c) => `${c.field}:${c.reason}`);

describe("names", () => {
  test("DNS-1123", () => {
    expect(isDns1123Label("web-1")).toBe(true);
    expect(isDns1123Label("1abc")).toBe(true);
    expect(isDns1123Label("Web")).toBe(false);
    expect(isDns1123Label("web.1")).toBe(false);
    expect(isDns1123Label("-web")).toBe(false);
    expect(isDns1123Label("a".repeat(63))).toBe(true);
    expect(isDns1123Label("a".repeat(64))).toBe(false);
    expect(isDns1123Subdomain("web.example.com")).toBe(true);
    expect(isDns1123Subdomain("web..x")).toBe(false);
    expect(isDns1123Subdomain("a".repeat(254))).toBe(false);
    expect(dns1035LabelErrors("1abc")).not.toEqual([]);
    expect(dns1035LabelErrors("abc-1")).toEqual([]);
  });

  test("qualified names and label values", () => {
    for (const ok of ["app", "app.kubernetes.io/name", "A_b.c-d", "example.com/X"]) expect(isQualifiedName(ok)).toBe(true);
    for (const bad of ["", "/app", "example.com/", "a/b/c", "-app", "app-", "Example.com/app", "a b", "x".repeat(64)]) expect(isQualifiedName(bad)).toBe(false);
    for (const ok of ["", "web", "Web_1.0", "x".repeat(63)]) expect(isValidLabelValue(ok)).toBe(true);
    for (const bad of ["-web", "web-", "a b", "x".repeat(64), "a/b"]) expect(isValidLabelValue(bad)).toBe(false);
  });

  test("port names and config keys", () => {
    expect(portNameErrors("http")).toEqual([]);
    expect(portNameErrors("http-alt")).toEqual([]);
    expect(portNameErrors("8080")).not.toEqual([]);
    expect(portNameErrors("a--b")).not.toEqual([]);
    expect(portNameErrors("-http")).not.toEqual([]);
    expect(portNameErrors("x".repeat(16))).not.toEqual([]);
    expect(configKeyErrors("app.conf")).toEqual([]);
    expect(configKeyErrors(".env")).toEqual([]);
    expect(configKeyErrors("..data")).not.toEqual([]);
    expect(configKeyErrors("a/b")).not.toEqual([]);
  });
});

describe("metadata", () => {
  test("labels and annotations", () => {
    expect(validateLabels({ app: "web", "app.kubernetes.io/name": "x" }, "metadata.labels")).toEqual([]);
    expect(fields(validateLabels({ "bad key": "x", ok: "bad value" }, "metadata.labels"))).toEqual(["metadata.labels:FieldValueInvalid", "metadata.labels[ok]:FieldValueInvalid"]);
    expect(fields(validateLabels({ n: 1 }, "l"))).toEqual(["l[n]:FieldValueInvalid"]);
    expect(fields(validateLabels(["x"], "l"))).toEqual(["l:FieldValueInvalid"]);
    expect(validateAnnotations({ "example.com/note": "anything at all: {}" }, "a")).toEqual([]);
    expect(fields(validateAnnotations({ big: "x".repeat(256 * 1024) }, "a"))).toEqual(["a:FieldValueTooLong"]);
  });

  test("names, generateName and namespaces", () => {
    expect(validateObjectMeta({ name: "web", namespace: "default" }, { namespaced: true, name: "subdomain" })).toEqual([]);
    expect(validateObjectMeta({ generateName: "web-", namespace: "default" }, { namespaced: true, name: "subdomain" })).toEqual([]);
    expect(fields(validateObjectMeta({ namespace: "default" }, { namespaced: true, name: "subdomain" }))).toEqual(["metadata.name:FieldValueRequired"]);
    expect(fields(validateObjectMeta({ name: "Web" }, { namespaced: false, name: "subdomain" }))).toEqual(["metadata.name:FieldValueInvalid"]);
    expect(fields(validateObjectMeta({ name: "a.b" }, { namespaced: false, name: "label" }))).toEqual(["metadata.name:FieldValueInvalid"]);
    expect(fields(validateObjectMeta({ name: "x" }, { namespaced: true, name: "label" }))).toEqual(["metadata.namespace:FieldValueRequired"]);
    expect(fields(validateObjectMeta({ name: "x", namespace: "ns" }, { namespaced: false, name: "label" }))).toEqual(["metadata.namespace:FieldValueForbidden"]);
    expect(fields(validateObjectMeta(undefined, { namespaced: false, name: "label" }))).toEqual(["metadata:FieldValueRequired"]);
  });

  test("generateName and finalizers", () => {
    const rules = { namespaced: false, name: "label" as const };
    expect(validateObjectMeta({ generateName: "web-" }, rules)).toEqual([]);
    expect(fields(validateObjectMeta({ generateName: "Web-" }, rules))).toEqual(["metadata.generateName:FieldValueInvalid"]);
    expect(validateObjectMeta({ name: "x", finalizers: ["kubernetes", "foregroundDeletion", "orphan", "example.com/cleanup"] }, rules)).toEqual([]);
    expect(fields(validateObjectMeta({ name: "x", finalizers: ["cleanup"] }, rules))).toEqual(["metadata.finalizers[0]:FieldValueInvalid"]);
    expect(fields(validateObjectMeta({ name: "x", finalizers: ["bad finalizer/x"] }, rules))).toEqual(["metadata.finalizers[0]:FieldValueInvalid"]);
  });

  test("owner references", () => {
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u", controller: true };
    expect(validateObjectMeta({ name: "x", ownerReferences: [ref] }, { namespaced: false, name: "label" })).toEqual([]);
    expect(fields(validateObjectMeta({ name: "x", ownerReferences: [ref, { ...ref, uid: "v" }] }, { namespaced: false, name: "label" }))).toEqual(["metadata.ownerReferences:FieldValueInvalid"]);
    expect(fields(validateObjectMeta({ name: "x", ownerReferences: [{ ...ref, uid: "" }] }, { namespaced: false, name: "label" }))).toEqual(["metadata.ownerReferences[0].uid:FieldValueRequired"]);
  });

  test("identity is immutable", () => {
    expect(validateObjectMetaUpdate({ name: "a", namespace: "n", uid: "1" }, { name: "a", namespace: "n", uid: "1" })).toEqual([]);
    expect(fields(validateObjectMetaUpdate({ name: "b", namespace: "m", uid: "2" }, { name: "a", namespace: "n", uid: "1" }))).toEqual([
      "metadata.name:FieldValueInvalid",
      "metadata.namespace:FieldValueInvalid",
      "metadata.uid:FieldValueInvalid",
    ]);
  });

  test("label selector objects", () => {
    expect(validateLabelSelector({ matchLabels: { a: "b" }, matchExpressions: [{ key: "k", operator: "In", values: ["v"] }] }, "s")).toEqual([]);
    expect(fields(validateLabelSelector({ matchExpressions: [{ key: "k", operator: "In" }] }, "s"))).toEqual(["s.matchExpressions[0].values:FieldValueRequired"]);
    expect(fields(validateLabelSelector({ matchExpressions: [{ key: "k", operator: "Exists", values: ["x"] }] }, "s"))).toEqual(["s.matchExpressions[0].values:FieldValueForbidden"]);
    expect(fields(validateLabelSelector({ matchExpressions: [{ key: "k", operator: "Near" }] }, "s"))).toEqual(["s.matchExpressions[0].operator:FieldValueNotSupported"]);
  });
});

describe("helpers", () => {
  test("jsonEqual ignores undefined members", () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, { x: [2] }], [1, { x: [2] }])).toBe(true);
    expect(jsonEqual([1], [1, 2])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: "1" })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });

  test("int or percent", () => {
    expect(validateIntOrPercent("25%", "f")).toEqual([]);
    expect(validateIntOrPercent(3, "f")).toEqual([]);
    expect(fields(validateIntOrPercent("25", "f"))).toEqual(["f:FieldValueInvalid"]);
    expect(fields(validateIntOrPercent(-1, "f"))).toEqual(["f:FieldValueInvalid"]);
    expect(fields(validateIntOrPercent("150%", "f", 100))).toEqual(["f:FieldValueInvalid"]);
  });
});
