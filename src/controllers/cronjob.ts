// CronJob: creates a Job at each time its schedule fires. The pure step works
// out the most recent missed time, applies concurrencyPolicy and
// startingDeadlineSeconds, and trims the finished-job history.
import { isApiError } from "../api/errors.ts";
import { controllerOf, controllerRef, getCondition, isBeingDeleted, splitNamespacedName } from "../api/meta.ts";
import { type CronSchedule, parseCronSchedule } from "../api/cron.ts";
import { CronJobs, Jobs } from "../api/registry.ts";
import type { CronJob, Job, ObjectReference } from "../api/types.ts";
import type { PlannedEvent } from "./deployment.ts";
import { jobFinished } from "./job.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { isNamespaceTerminating, wireSelf } from "./owned-pods.ts";
import { canonicalJson } from "./template-hash.ts";

export const scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

export interface CronJobPlan {
  create?: Job;
  /** Active jobs replaced (concurrencyPolicy Replace) and finished jobs beyond the history limits. */
  delete: Job[];
  status: NonNullable<CronJob["status"]>;
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

/** The latest time in (after, now] the schedule fired, if any; also how many fired. */
export function mostRecentScheduleTime(schedule: CronSchedule, after: Date, now: Date): { time?: Date; missed: number } {
  let t = schedule.next(after);
  let last: Date | undefined;
  let missed = 0;
  while (t.getTime() <= now.getTime()) {
    last = t;
    missed++;
    // A schedule far behind (server down for days): skip to the recent past rather than walk every minute.
    if (missed > 1000) {
      const recent = new Date(now.getTime() - 24 * 3600 * 1000);
      if (recent > t) t = recent;
    }
    t = schedule.next(t);
  }
  return { time: last, missed };
}

function jobTime(job: Job): number {
  return Date.parse(job.status?.startTime ?? job.metadata.creationTimestamp ?? "") || 0;
}

function refOf(job: Job): ObjectReference {
  return { apiVersion: "batch/v1", kind: "Job", namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid };
}

/**
 * The Job for one scheduled time, named like Kubernetes names it: the CronJob's
 * name and the time in minutes (in seconds for schedules that fire more often,
 * such as @every 10s, so their names stay distinct).
 */
export function jobForSchedule(cj: CronJob, at: Date, unitMs = 60_000): Job {
  const meta = cj.spec.jobTemplate.metadata ?? {};
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(at.getTime() / unitMs)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}), [scheduledTimestampAnnotation]: at.toISOString() },
      ownerReferences: [controllerRef(cj)],
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
  };
}

export function reconcileCronJob(cj: CronJob, jobs: Job[], now: number, schedule: CronSchedule): CronJobPlan {
  const prev = cj.status ?? {};
  const plan: CronJobPlan = { delete: [], status: { ...prev }, events: [] };
  const active = jobs.filter((j) => !jobFinished(j) && !isBeingDeleted(j));
  const finished = jobs.filter((j) => jobFinished(j) && !isBeingDeleted(j));

  // History: the newest finished jobs stay.
  const trim = (list: Job[], limit: number) => [...list].sort((a, b) => jobTime(a) - jobTime(b)).slice(0, Math.max(list.length - limit, 0));
  plan.delete.push(...trim(finished.filter((j) => jobFinished(j) === "Complete"), cj.spec.successfulJobsHistoryLimit ?? 3));
  plan.delete.push(...trim(finished.filter((j) => jobFinished(j) === "Failed"), cj.spec.failedJobsHistoryLimit ?? 1));

  let lastSuccess = prev.lastSuccessfulTime ? Date.parse(prev.lastSuccessfulTime) : 0;
  for (const j of finished) {
    if (jobFinished(j) !== "Complete") continue;
    const t = Date.parse(j.status?.completionTime ?? getCondition(j.status?.conditions, "Complete")?.lastTransitionTime ?? "");
    if (t > lastSuccess) lastSuccess = t;
  }
  if (lastSuccess) plan.status.lastSuccessfulTime = new Date(lastSuccess).toISOString();
  plan.status.active = active.map(refOf);
  if (!plan.status.active.length) delete plan.status.active;

  const nowDate = new Date(now);
  plan.requeueAfterMs = schedule.next(nowDate).getTime() - now;
  if (cj.spec.suspend || isBeingDeleted(cj)) return plan;

  let earliest = new Date(prev.lastScheduleTime ?? cj.metadata.creationTimestamp ?? now);
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    const cutoff = new Date(now - deadline * 1000);
    if (cutoff > earliest) earliest = cutoff;
  }
  const { time, missed } = mostRecentScheduleTime(schedule, earliest, nowDate);
  if (!time) return plan;
  if (missed > 100) {
    plan.events.push({ type: "Warning", reason: "TooManyMissedTimes", message: `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew` });
  }

  const subMinute = schedule.next(time).getTime() - time.getTime() < 60_000;
  const job = jobForSchedule(cj, time, subMinute ? 1000 : 60_000);
  if (jobs.some((j) => j.metadata.name === job.metadata.name)) {
    plan.status.lastScheduleTime = time.toISOString();
    return plan;
  }
  const policy = cj.spec.concurrencyPolicy ?? "Allow";
  if (policy === "Forbid" && active.length) {
    plan.events.push({ type: "Normal", reason: "JobAlreadyActive", message: "Not starting job because prior execution is running and concurrency policy is Forbid" });
    return plan;
  }
  if (policy === "Replace") {
    for (const j of active) {
      plan.delete.push(j);
      plan.events.push({ type: "Normal", reason: "SuccessfulDelete", message: `Deleted job ${j.metadata.name}` });
    }
  }
  plan.create = job;
  plan.status.lastScheduleTime = time.toISOString();
  plan.events.push({ type: "Normal", reason: "SuccessfulCreate", message: `Created job ${job.metadata.name}` });
  return plan;
}

// ---- the loop -------------------------------------------------------------------

export const cronJobController: ControllerDefinition = {
  name: "cronjob",
  setup(ctx, queue) {
    const cronJobs = ctx.informer(CronJobs);
    const jobs = ctx.informer(Jobs);
    wireSelf(cronJobs, queue);
    const wake = (j: Job) => {
      const ref = controllerOf(j);
      if (ref?.kind === "CronJob") queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    jobs.on({ add: wake, update: (_, j) => wake(j), delete: wake });
    return (key) => syncCronJob(ctx, key, cronJobs.getByKey(key), jobs.list());
  },
};

async function syncCronJob(ctx: ControllerContext, key: string, cj: CronJob | undefined, allJobs: Job[]): Promise<SyncResult> {
  if (!cj) return;
  const { namespace, name } = splitNamespacedName(key);
  let schedule: CronSchedule;
  try {
    schedule = parseCronSchedule(cj.spec.schedule, cj.spec.timeZone);
  } catch (err) {
    ctx.event(cj, "Warning", "UnparseableSchedule", `unparseable schedule ${JSON.stringify(cj.spec.schedule)}: ${(err as Error).message}`);
    return;
  }
  const owned = allJobs.filter((j) => j.metadata.namespace === namespace && controllerOf(j)?.uid === cj.metadata.uid);
  const plan = reconcileCronJob(cj, owned, ctx.now(), schedule);
  for (const j of plan.delete) {
    await ctx.client.delete(Jobs, namespace, j.metadata.name ?? "", { propagationPolicy: "Background" }).catch((err: unknown) => {
      if (!isApiError(err, "NotFound")) throw err;
    });
  }
  if (plan.create) {
    try {
      const made = await ctx.client.create(Jobs, plan.create);
      plan.status.active = [...(plan.status.active ?? []), refOf(made)];
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      if (!isApiError(err, "AlreadyExists")) {
        ctx.event(cj, "Warning", "FailedCreate", `Error creating job: ${(err as Error).message}`);
        throw err;
      }
    }
  }
  for (const e of plan.events) ctx.event(cj, e.type, e.reason, e.message);
  if (canonicalJson(cj.status ?? {}) !== canonicalJson(plan.status)) {
    const status: Record<string, unknown> = { ...plan.status };
    for (const k of Object.keys(cj.status ?? {})) if (!(k in plan.status)) status[k] = null;
    await ctx.client.patch(CronJobs, namespace, name, { status }, "merge", "status");
  }
  return plan.requeueAfterMs;
}
