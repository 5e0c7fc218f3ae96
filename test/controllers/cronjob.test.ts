import { describe, expect, test } from "bun:test";
import { parseCronSchedule } from "../../src/api/cron.ts";
import type { CronJob, Job } from "../../src/api/types.ts";
import { mostRecentScheduleTime, reconcileCronJob, scheduledTimestampAnnotation } from "../../src/controllers/cronjob.ts";
import { iso, T0 } from "./fixtures.ts";

function cron(extra: Partial<CronJob["spec"]> = {}, status?: CronJob["status"]): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "tick", namespace: "default", uid: "cj-uid", creationTimestamp: iso(T0) },
    spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } } }, ...extra },
    status,
  };
}

function jobAt(name: string, state: "active" | "Complete" | "Failed", at: number): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default", uid: `uid-${name}`, creationTimestamp: iso(at) },
    spec: { template: { spec: { containers: [] } } },
    status: state === "active" ? { active: 1, startTime: iso(at) } : { startTime: iso(at), completionTime: iso(at + 1000), conditions: [{ type: state, status: "True", lastTransitionTime: iso(at + 1000) }] },
  };
}

const every5 = parseCronSchedule("*/5 * * * *");
const MIN = 60_000;

describe("mostRecentScheduleTime", () => {
  test("finds the latest missed time and counts misses", () => {
    const r = mostRecentScheduleTime(every5, new Date(T0), new Date(T0 + 17 * MIN));
    expect(r.time?.toISOString()).toBe(iso(T0 + 15 * MIN));
    expect(r.missed).toBe(3);
    expect(mostRecentScheduleTime(every5, new Date(T0), new Date(T0 + 4 * MIN)).time).toBeUndefined();
  });
});

describe("reconcileCronJob", () => {
  test("creates a Job named by the scheduled minute when a time has come", () => {
    const plan = reconcileCronJob(cron(), [], T0 + 6 * MIN, every5);
    expect(plan.create?.metadata.name).toBe(`tick-${Math.floor((T0 + 5 * MIN) / MIN)}`);
    expect(plan.create?.metadata.annotations?.[scheduledTimestampAnnotation]).toBe(iso(T0 + 5 * MIN));
    expect(plan.create?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", uid: "cj-uid", controller: true });
    expect(plan.status.lastScheduleTime).toBe(iso(T0 + 5 * MIN));
    expect(plan.requeueAfterMs).toBe(4 * MIN);
  });
  test("nothing before the first time; suspended never", () => {
    expect(reconcileCronJob(cron(), [], T0 + 2 * MIN, every5).create).toBeUndefined();
    expect(reconcileCronJob(cron({ suspend: true }), [], T0 + 6 * MIN, every5).create).toBeUndefined();
  });
  test("Forbid skips while a Job runs; Replace deletes it", () => {
    const running = jobAt("tick-old", "active", T0);
    expect(reconcileCronJob(cron({ concurrencyPolicy: "Forbid" }), [running], T0 + 6 * MIN, every5).create).toBeUndefined();
    const replace = reconcileCronJob(cron({ concurrencyPolicy: "Replace" }), [running], T0 + 6 * MIN, every5);
    expect(replace.create).toBeDefined();
    expect(replace.delete).toEqual([running]);
    const allow = reconcileCronJob(cron(), [running], T0 + 6 * MIN, every5);
    expect(allow.create).toBeDefined();
    expect(allow.delete).toEqual([]);
  });
  test("startingDeadlineSeconds: a time missed by more than the deadline is skipped", () => {
    const cj = cron({ startingDeadlineSeconds: 30 }, { lastScheduleTime: iso(T0) });
    expect(reconcileCronJob(cj, [], T0 + 5 * MIN + 60_000, every5).create).toBeUndefined();
    expect(reconcileCronJob(cj, [], T0 + 5 * MIN + 10_000, every5).create).toBeDefined();
  });
  test("history limits keep the newest finished Jobs", () => {
    const jobs = [jobAt("s1", "Complete", T0), jobAt("s2", "Complete", T0 + MIN), jobAt("f1", "Failed", T0), jobAt("f2", "Failed", T0 + MIN)];
    const plan = reconcileCronJob(cron({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, { lastScheduleTime: iso(T0 + 5 * MIN) }), jobs, T0 + 6 * MIN, every5);
    expect(plan.delete.map((j) => j.metadata.name).sort()).toEqual(["f1", "s1"]);
    expect(plan.status.lastSuccessfulTime).toBe(iso(T0 + MIN + 1000));
  });
  test("an already created Job for the time is not created twice", () => {
    const name = `tick-${Math.floor((T0 + 5 * MIN) / MIN)}`;
    const plan = reconcileCronJob(cron(), [jobAt(name, "active", T0 + 5 * MIN)], T0 + 6 * MIN, every5);
    expect(plan.create).toBeUndefined();
    expect(plan.status.active?.map((r) => r.name)).toEqual([name]);
  });
});

describe("sub-minute schedules", () => {
  test("Jobs of @every schedules are named by the second", () => {
    const every10s = parseCronSchedule("@every 10s");
    const plan = reconcileCronJob(cron({ schedule: "@every 10s" }), [], T0 + 25_000, every10s);
    expect(plan.create?.metadata.name).toBe(`tick-${Math.floor((T0 + 20_000) / 1000)}`);
  });
});

describe("missed runs", () => {
  test("more than 100 missed times is reported, and only the latest runs", () => {
    const plan = reconcileCronJob(cron({ schedule: "* * * * *" }), [], T0 + 500 * MIN + 30_000, parseCronSchedule("* * * * *"));
    expect(plan.events.some((e) => e.reason === "TooManyMissedTimes")).toBe(true);
    expect(plan.create?.metadata.name).toBe(`tick-${Math.floor((T0 + 500 * MIN) / MIN)}`);
  });
});
