import { describe, expect, test } from "bun:test";
import { getCondition } from "../../src/api/meta.ts";
import { completionIndexAnnotation, formatIndexes, indexOf, parseIndexes, pendingIndexes } from "../../src/controllers/job-indexes.ts";
import { jobPod, reconcileJob } from "../../src/controllers/job.ts";
import { job, pod, type PodOpts, T0 } from "./fixtures.ts";

function indexed(completions: number, parallelism: number) {
  const j = job({ completions, parallelism });
  j.spec.completionMode = "Indexed";
  return j;
}

function at(index: number, o: PodOpts = {}) {
  const p = pod({ ...o, owner: { kind: "Job", name: "pi", uid: "job-uid" }, node: "n1" });
  p.metadata.annotations = { [completionIndexAnnotation]: String(index) };
  return p;
}

describe("index bookkeeping", () => {
  test("parse and format ranges", () => {
    expect([...parseIndexes("0-2,5,7-8")]).toEqual([0, 1, 2, 5, 7, 8]);
    expect(formatIndexes([5, 0, 1, 2, 8, 7])).toBe("0-2,5,7-8");
    expect(formatIndexes([])).toBe("");
    expect(parseIndexes(undefined).size).toBe(0);
  });
  test("pending indexes skip done and held ones", () => {
    expect(pendingIndexes(5, new Set([0]), new Set([2]))).toEqual([1, 3, 4]);
  });
  test("a pod's index comes from its annotation", () => {
    expect(indexOf(at(3))).toBe(3);
    expect(indexOf(pod())).toBeUndefined();
  });
});

describe("Indexed Jobs", () => {
  test("start the lowest indexes, at most parallelism", () => {
    const plan = reconcileJob(indexed(5, 2), [], T0);
    expect(plan.createIndexes).toEqual([0, 1]);
    expect(plan.create).toBe(2);
  });
  test("a finished index is not run again; the next free one is", () => {
    const plan = reconcileJob(indexed(4, 2), [at(0, { phase: "Succeeded" }), at(1, { phase: "Running" })], T0);
    expect(plan.createIndexes).toEqual([2]);
    expect(plan.status.completedIndexes).toBe("0");
    expect(plan.status.succeeded).toBe(1);
  });
  test("a failed index is retried", () => {
    const plan = reconcileJob(indexed(2, 2), [at(0, { phase: "Failed" }), at(1, { phase: "Running" })], T0);
    expect(plan.createIndexes).toEqual([0]);
  });
  test("duplicates and done indexes are stopped", () => {
    const dup = at(1, { phase: "Running" });
    const stale = at(0, { phase: "Running" });
    const plan = reconcileJob(indexed(3, 3), [at(0, { phase: "Succeeded" }), stale, at(1, { phase: "Running" }), dup], T0);
    expect(plan.delete).toContain(stale);
    expect(plan.delete.length).toBe(2);
  });
  test("complete once every index succeeded, even if pods are gone", () => {
    const j = indexed(3, 1);
    j.status = { completedIndexes: "0-1" };
    const plan = reconcileJob(j, [at(2, { phase: "Succeeded" })], T0);
    expect(getCondition(plan.status.conditions, "Complete")?.status).toBe("True");
    expect(plan.status.completedIndexes).toBe("0-2");
  });
  test("pods carry their index in annotation, label, name and JOB_COMPLETION_INDEX", () => {
    const p = jobPod(indexed(3, 1), { "job-name": "pi" }, 2);
    expect(p.metadata.annotations?.[completionIndexAnnotation]).toBe("2");
    expect(p.metadata.labels?.[completionIndexAnnotation]).toBe("2");
    expect(p.metadata.generateName).toBe("pi-2-");
    expect(p.spec.containers[0].env).toContainEqual({ name: "JOB_COMPLETION_INDEX", value: "2" });
  });
});
