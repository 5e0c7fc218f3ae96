import { describe, expect, test } from "bun:test";
import { claimObjects } from "../../src/controllers/controller-ref.ts";
import { Expectations } from "../../src/controllers/expectations.ts";
import { scaledValue } from "../../src/controllers/int-or-percent.ts";
import { selectControllers } from "../../src/controllers/manager.ts";
import { comparePodsForDeletion, podFromTemplate, podsToDelete } from "../../src/controllers/pod-util.ts";
import { findToleration, untoleratedTaints } from "../../src/controllers/taints.ts";
import { canonicalJson, computeTemplateHash, templatesEqual } from "../../src/controllers/template-hash.ts";
import { pod, replicaSet, T0, template } from "./fixtures.ts";

describe("template hash", () => {
  test("is stable across key order and ignores the hash label", () => {
    const a = template("nginx:1");
    const b = { spec: { containers: [{ image: "nginx:1", name: "c" }] }, metadata: { labels: { app: "web", "pod-template-hash": "xyz" } } };
    expect(computeTemplateHash(a)).toBe(computeTemplateHash(b));
    expect(templatesEqual(a, b)).toBe(true);
    expect(computeTemplateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  test("changes with the template and with the collision count", () => {
    expect(computeTemplateHash(template("nginx:1"))).not.toBe(computeTemplateHash(template("nginx:2")));
    expect(computeTemplateHash(template(), 1)).not.toBe(computeTemplateHash(template(), 0));
  });
  test("canonicalJson sorts keys and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });
});

describe("int or percent", () => {
  test("rounds surge up and unavailability down", () => {
    expect(scaledValue("25%", 10, true, 0)).toBe(3);
    expect(scaledValue("25%", 10, false, 0)).toBe(2);
    expect(scaledValue(undefined, 4, true, "25%")).toBe(1);
    expect(scaledValue(2, 10, true, 0)).toBe(2);
    expect(scaledValue("3", 10, true, 0)).toBe(3);
    expect(() => scaledValue("abc", 10, true, 0)).toThrow();
  });
});

describe("pod ranking for deletion", () => {
  test("unscheduled, pending, not ready, newer go first", () => {
    const running = pod({ name: "running", node: "n1", ready: true, readySince: T0 });
    const recentReady = pod({ name: "recent", node: "n1", ready: true, readySince: T0 + 5000 });
    const notReady = pod({ name: "notready", node: "n1", phase: "Running", ready: false });
    const pending = pod({ name: "pending", node: "n1" });
    const unscheduled = pod({ name: "unscheduled" });
    const order = [running, recentReady, notReady, pending, unscheduled].sort(comparePodsForDeletion).map((p) => p.metadata.name);
    expect(order).toEqual(["unscheduled", "pending", "notready", "recent", "running"]);
    expect(podsToDelete([running, unscheduled], 1).map((p) => p.metadata.name)).toEqual(["unscheduled"]);
    expect(podsToDelete([running], 0)).toEqual([]);
  });
  test("podFromTemplate sets owner, labels, generateName", () => {
    const rs = replicaSet("web-abc", { replicas: 1 });
    const p = podFromTemplate(rs.spec.template, rs, { extraLabels: { x: "y" } });
    expect(p.metadata.generateName).toBe("web-abc-");
    expect(p.metadata.labels).toEqual({ app: "web", x: "y" });
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: "web-abc", uid: rs.metadata.uid, controller: true });
    p.spec.containers[0].image = "changed";
    expect(rs.spec.template.spec.containers[0].image).toBe("nginx:1");
  });
});

describe("claiming", () => {
  const rs = replicaSet("web-abc", { replicas: 1 });
  const selects = (l: Record<string, string>) => l.app === "web";
  test("keeps owned matching, adopts orphans, releases non-matching, ignores others", () => {
    const mine = pod({ name: "mine", owner: { kind: "ReplicaSet", name: "web-abc", uid: rs.metadata.uid! } });
    const orphan = pod({ name: "orphan" });
    const strayed = pod({ name: "strayed", labels: { app: "other" }, owner: { kind: "ReplicaSet", name: "web-abc", uid: rs.metadata.uid! } });
    const someoneElse = pod({ name: "else", owner: { kind: "ReplicaSet", name: "x", uid: "other" } });
    const dying = pod({ name: "dying", deleting: true });
    const otherNs = pod({ name: "otherns", namespace: "kube-system" });
    const c = claimObjects(rs, selects, [mine, orphan, strayed, someoneElse, dying, otherNs]);
    expect(c.owned.map((p) => p.metadata.name)).toEqual(["mine", "orphan"]);
    expect(c.adopt.map((p) => p.metadata.name)).toEqual(["orphan"]);
    expect(c.release.map((p) => p.metadata.name)).toEqual(["strayed"]);
  });
  test("an owner being deleted adopts nothing", () => {
    const dying = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } };
    expect(claimObjects(dying, selects, [pod({ name: "orphan" })]).adopt).toEqual([]);
  });
});

describe("expectations", () => {
  test("unsatisfied until observed, then satisfied; expire after the ttl", () => {
    let now = 0;
    const e = new Expectations(1000, () => now);
    expect(e.satisfied("a")).toBe(true);
    e.expect("a", 2, ["u1"]);
    expect(e.satisfied("a")).toBe(false);
    e.creationObserved("a");
    e.creationObserved("a");
    expect(e.satisfied("a")).toBe(false);
    e.deletionObserved("a", "u1");
    expect(e.satisfied("a")).toBe(true);
    e.expect("b", 1);
    now = 2000;
    expect(e.satisfied("b")).toBe(true);
  });
});

describe("taints", () => {
  test("tolerations match by key, value, effect, Exists", () => {
    const taint = { key: "k", value: "v", effect: "NoSchedule" as const };
    expect(findToleration([{ key: "k", operator: "Equal", value: "v" }], taint)).toBeDefined();
    expect(findToleration([{ key: "k", operator: "Equal", value: "w" }], taint)).toBeUndefined();
    expect(findToleration([{ key: "k", operator: "Exists", effect: "NoExecute" }], taint)).toBeUndefined();
    expect(findToleration([{ operator: "Exists" }], taint)).toBeDefined();
    expect(untoleratedTaints([taint, { key: "p", effect: "PreferNoSchedule" }], [], ["NoSchedule", "NoExecute"])).toEqual([taint]);
  });
});

describe("selectControllers", () => {
  const known = ["a", "b", "c"];
  test("all by default, names, and -name exclusions", () => {
    expect(selectControllers(undefined, known)).toEqual(known);
    expect(selectControllers(["*", "-b"], known)).toEqual(["a", "c"]);
    expect(selectControllers(["a,c"], known)).toEqual(["a", "c"]);
    expect(() => selectControllers(["nope"], known)).toThrow(/unknown controller/);
  });
});
