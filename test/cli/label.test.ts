import { describe, expect, test } from "bun:test";
import { labelPatch, parseLabelChanges, splitLabelArgs } from "../../src/cli/label.ts";
import { deleteOptions, propagationPolicy } from "../../src/cli/delete.ts";
import { manifestsFromText, targetNamespace } from "../../src/cli/manifests.ts";
import { parseOutput } from "../../src/cli/output.ts";
import { dryRunFrom, dryRunSuffix, formatError } from "../../src/cli/args.ts";
import { ApiError } from "../../src/api/errors.ts";

describe("label", () => {
  test("splitting resources from changes", () => {
    expect(splitLabelArgs(["pods", "web", "a=b", "c-"])).toEqual({ resources: ["pods", "web"], changes: ["a=b", "c-"] });
    expect(splitLabelArgs(["pod/web", "a=b"])).toEqual({ resources: ["pod/web"], changes: ["a=b"] });
  });

  test("parsing changes", () => {
    expect(parseLabelChanges(["a=b", "example.com/x=", "c-"])).toEqual({ set: { a: "b", "example.com/x": "" }, remove: ["c"] });
    expect(() => parseLabelChanges(["bad key=1"])).toThrow(/invalid label key/);
    expect(() => parseLabelChanges(["a=-x"])).toThrow(/invalid label value/);
    expect(() => parseLabelChanges(["a=1", "a-"])).toThrow(/both modify and remove/);
    expect(() => parseLabelChanges(["a"])).toThrow(/key=value/);
  });

  test("patches: add, overwrite only with --overwrite, remove, no-op", () => {
    expect(labelPatch({ a: "1" }, { set: { b: "2" }, remove: [] }, false)).toEqual({ b: "2" });
    expect(() => labelPatch({ a: "1" }, { set: { a: "2" }, remove: [] }, false)).toThrow("'a' already has a value (1), and --overwrite is false");
    expect(labelPatch({ a: "1" }, { set: { a: "2" }, remove: [] }, true)).toEqual({ a: "2" });
    expect(labelPatch({ a: "1" }, { set: {}, remove: ["a", "zz"] }, false)).toEqual({ a: null });
    expect(labelPatch({ a: "1" }, { set: { a: "1" }, remove: ["zz"] }, false)).toBeUndefined();
  });
});

describe("delete options", () => {
  test("cascade and grace period", () => {
    expect(propagationPolicy(undefined)).toBe("Background");
    expect(propagationPolicy("foreground")).toBe("Foreground");
    expect(propagationPolicy("orphan")).toBe("Orphan");
    expect(propagationPolicy("false")).toBe("Orphan");
    expect(() => propagationPolicy("sideways")).toThrow(/invalid --cascade/);
    expect(deleteOptions({ "grace-period": 0 })).toEqual({ propagationPolicy: "Background", gracePeriodSeconds: 0 });
    expect(deleteOptions({ "grace-period": -1 })).toEqual({ propagationPolicy: "Background" });
    expect(deleteOptions({ now: true }).gracePeriodSeconds).toBe(1);
  });
});

describe("manifests", () => {
  test("multi-document YAML, JSON and List kinds", () => {
    const yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: []}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: prod}\n";
    expect(manifestsFromText(yaml, "x.yaml").map((m) => `${m.rt.plural}/${m.obj.metadata.name}`)).toEqual(["pods/a", "deployments/d"]);
    const list = JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }] });
    expect(manifestsFromText(list, "l.json").map((m) => m.rt.kind)).toEqual(["ConfigMap"]);
  });

  test("clear errors for bad documents", () => {
    expect(() => manifestsFromText("kind: Pod\nmetadata: {name: a}\n", "x.yaml")).toThrow(/x.yaml.*apiVersion/);
    expect(() => manifestsFromText("apiVersion: v1\nkind: Frob\nmetadata: {name: a}\n", "x.yaml")).toThrow(/no matches for kind "Frob"/);
    expect(() => manifestsFromText("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "x.yaml")).toThrow(/has no metadata.name/);
    expect(() => manifestsFromText("apiVersion: v1\nkind: Pod\n  bad: [indent\n", "x.yaml")).toThrow(/error parsing x.yaml/);
  });

  test("namespaces: own, flag, default; cluster-scoped none", () => {
    const [pod, ns] = manifestsFromText("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n", "x");
    expect(targetNamespace(pod, undefined)).toBe("default");
    expect(targetNamespace(pod, "prod")).toBe("prod");
    expect(targetNamespace(ns, "prod")).toBeUndefined();
  });
});

test("output formats", () => {
  expect(parseOutput(undefined)).toBe("table");
  expect(parseOutput("yaml")).toBe("yaml");
  expect(() => parseOutput("xml")).toThrow(/unable to match a printer/);
});

test("client-side errors print as 'error:'", () => {
  expect(formatError(ApiError.badRequest("bad"))).toBe("error: bad");
  expect(formatError(new Error("x"), 'error when creating "a.yaml"')).toBe('error: error when creating "a.yaml": x');
});

test("--dry-run values", () => {
  expect(dryRunFrom({})).toBe("none");
  expect(dryRunFrom({ "dry-run": "" })).toBe("client");
  expect(dryRunFrom({ "dry-run": "server" })).toBe("server");
  expect(() => dryRunFrom({ "dry-run": "x" })).toThrow(/invalid --dry-run/);
  expect(dryRunSuffix("server")).toBe(" (server dry run)");
});
