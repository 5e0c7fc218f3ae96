import { describe, expect, test } from "bun:test";
import { getCondition } from "../../src/api/meta.ts";
import { failureBackoffMs, reconcileJob } from "../../src/controllers/job.ts";
import { iso, job, pod, type PodOpts, T0 } from "./fixtures.ts";

const owned = (o: PodOpts) => pod({ ...o, owner: { kind: "Job", name: "pi", uid: "job-uid" }, node: o.node ?? "n1" });

describe("reconcileJob", () => {
  test("starts min(parallelism, remaining completions) pods and sets startTime", () => {
    const plan = reconcileJob(job({ completions: 5, parallelism: 2 }), [], T0);
    expect(plan.create).toBe(2);
    expect(plan.status.startTime).toBe(iso(T0));
    const later = reconcileJob(job({ completions: 5, parallelism: 2 }), [owned({ phase: "Succeeded" }), owned({ phase: "Succeeded" }), owned({ phase: "Succeeded" }), owned({ phase: "Succeeded" })], T0);
    expect(later.create).toBe(1);
    expect(later.status.succeeded).toBe(4);
  });
  test("completes when enough pods succeeded", () => {
    const plan = reconcileJob(job({ completions: 2 }), [owned({ phase: "Succeeded" }), owned({ phase: "Succeeded" })], T0);
    expect(getCondition(plan.status.conditions, "Complete")?.status).toBe("True");
    expect(plan.status.completionTime).toBe(iso(T0));
    expect(plan.create).toBe(0);
    expect(plan.events.map((e) => e.reason)).toContain("Completed");
  });
  test("without completions, one success and nothing running completes it", () => {
    const plan = reconcileJob(job({ parallelism: 2 }), [owned({ phase: "Succeeded" })], T0);
    expect(getCondition(plan.status.conditions, "Complete")?.status).toBe("True");
  });
  test("failures beyond backoffLimit fail the Job and stop its pods", () => {
    const running = owned({ phase: "Running", ready: true });
    const plan = reconcileJob(job({ completions: 3, backoffLimit: 1, parallelism: 2 }), [owned({ phase: "Failed" }), owned({ phase: "Failed" }), running], T0);
    expect(getCondition(plan.status.conditions, "Failed")).toMatchObject({ status: "True", reason: "BackoffLimitExceeded" });
    expect(plan.delete).toEqual([running]);
    expect(plan.create).toBe(0);
    expect(plan.status.failed).toBe(2);
  });
  test("failures within backoffLimit are replaced", () => {
    const plan = reconcileJob(job({ completions: 1, backoffLimit: 2 }), [owned({ phase: "Failed" })], T0);
    expect(plan.create).toBe(1);
    expect(getCondition(plan.status.conditions, "Failed")).toBeUndefined();
  });
  test("OnFailure counts container restarts against backoffLimit", () => {
    const plan = reconcileJob(job({ backoffLimit: 2, restartPolicy: "OnFailure" }), [owned({ phase: "Running", restarts: 3 })], T0);
    expect(getCondition(plan.status.conditions, "Failed")?.reason).toBe("BackoffLimitExceeded");
  });
  test("activeDeadlineSeconds fails the Job; before it, a wake-up is asked for", () => {
    const j = job({ activeDeadlineSeconds: 10, status: { startTime: iso(T0) } });
    expect(reconcileJob(j, [owned({ phase: "Running" })], T0 + 4000).requeueAfterMs).toBe(6000);
    expect(getCondition(reconcileJob(j, [owned({ phase: "Running" })], T0 + 11_000).status.conditions, "Failed")?.reason).toBe("DeadlineExceeded");
  });
  test("terminating pods hold their slot: never more than parallelism at once", () => {
    const plan = reconcileJob(job({ completions: 4, parallelism: 2 }), [owned({ phase: "Running", deleting: true }), owned({ phase: "Running" })], T0);
    expect(plan.create).toBe(0);
  });
  test("ttlSecondsAfterFinished deletes the Job once due", () => {
    const done = job({ ttl: 5, status: { completionTime: iso(T0), conditions: [{ type: "Complete", status: "True", lastTransitionTime: iso(T0) }] } });
    expect(reconcileJob(done, [], T0 + 1000)).toMatchObject({ deleteJob: false, requeueAfterMs: 4000 });
    expect(reconcileJob(done, [], T0 + 5000).deleteJob).toBe(true);
  });
  test("suspend stops running pods and starts none", () => {
    const j = job({ completions: 2 });
    j.spec.suspend = true;
    const running = owned({ phase: "Running" });
    const plan = reconcileJob(j, [running], T0);
    expect(plan.delete).toEqual([running]);
    expect(plan.create).toBe(0);
    expect(getCondition(plan.status.conditions, "Suspended")?.status).toBe("True");
  });
});

describe("retry backoff", () => {
  test("doubles per failure up to six minutes", () => {
    expect(failureBackoffMs(0, 10_000)).toBe(0);
    expect(failureBackoffMs(1, 10_000)).toBe(10_000);
    expect(failureBackoffMs(3, 10_000)).toBe(40_000);
    expect(failureBackoffMs(20, 10_000)).toBe(360_000);
  });
  test("a failed pod is replaced only after the delay", () => {
    const failed = owned({ phase: "Failed" });
    failed.status!.containerStatuses = [{ name: "c", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: iso(T0) } } }];
    const early = reconcileJob(job({ completions: 1, backoffLimit: 3 }), [failed], T0 + 4000, true, 10_000);
    expect(early.create).toBe(0);
    expect(early.requeueAfterMs).toBe(6000);
    expect(reconcileJob(job({ completions: 1, backoffLimit: 3 }), [failed], T0 + 10_000, true, 10_000).create).toBe(1);
  });
});
