// Job: run pods to completion. The pure step counts what the pods did and
// decides how many to start or stop; a Job never has more than `parallelism`
// pods that are running or still terminating, even across a node failure.
import { isApiError } from "../api/errors.ts";
import { getCondition, isBeingDeleted, isConditionTrue, podIsReady, podIsTerminal, setCondition, splitNamespacedName } from "../api/meta.ts";
import { Jobs, Pods } from "../api/registry.ts";
import type { Job, JobStatus, Pod } from "../api/types.ts";
import { claimObjects, isEmptySelector, workloadSelects } from "./controller-ref.ts";
import type { PlannedEvent } from "./deployment.ts";
import { Expectations } from "./expectations.ts";
import type { ControllerContext, ControllerDefinition, SyncResult } from "./manager.ts";
import { inBatches, isNamespaceTerminating, settleClaim, wireOwnedPods, wireSelf } from "./owned-pods.ts";
import { podFromTemplate, podsToDelete } from "./pod-util.ts";
import { completionIndexAnnotation, formatIndexes, indexOf, parseIndexes, pendingIndexes } from "./job-indexes.ts";
import { canonicalJson } from "./template-hash.ts";

export const controllerUidLabel = "batch.kubernetes.io/controller-uid";
export const jobNameLabel = "batch.kubernetes.io/job-name";

export interface JobPlan {
  create: number;
  /** Indexed Jobs: the completion index of each pod to create (create === its length). */
  createIndexes?: number[];
  delete: Pod[];
  status: JobStatus;
  events: PlannedEvent[];
  /** ttlSecondsAfterFinished has passed: delete the Job (and, by GC, its pods). */
  deleteJob: boolean;
  requeueAfterMs?: number;
}

export function jobFinished(job: Job): "Complete" | "Failed" | undefined {
  if (isConditionTrue(job.status?.conditions, "Complete")) return "Complete";
  if (isConditionTrue(job.status?.conditions, "Failed")) return "Failed";
  return undefined;
}

function restartsOf(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

/** Kubernetes' retry delay after failures: base, doubling per failure, at most six minutes. */
export function failureBackoffMs(failures: number, baseMs: number): number {
  if (failures <= 0 || baseMs <= 0) return 0;
  return Math.min(baseMs * 2 ** (failures - 1), 360_000);
}

function finishedAt(pod: Pod): number {
  let last = 0;
  for (const c of pod.status?.containerStatuses ?? []) last = Math.max(last, Date.parse(c.state?.terminated?.finishedAt ?? "") || 0);
  return last || Date.parse(pod.metadata.creationTimestamp ?? "") || 0;
}

/** `backoffBaseMs`: delay before replacing failed pods (10 s in Kubernetes; 0 for none). */
export function reconcileJob(job: Job, owned: Pod[], now: number, manage = true, backoffBaseMs = 0): JobPlan {
  const iso = new Date(now).toISOString();
  const prev = job.status ?? {};
  const plan: JobPlan = { create: 0, delete: [], status: { ...prev }, events: [], deleteJob: false };
  const running = owned.filter((p) => !podIsTerminal(p) && !isBeingDeleted(p));
  const terminating = owned.filter((p) => !podIsTerminal(p) && isBeingDeleted(p));
  const indexed = job.spec.completionMode === "Indexed";
  const completedIndexes = indexed ? completedIndexesOf(job, owned) : undefined;
  const succeeded = completedIndexes ? completedIndexes.size : Math.max(prev.succeeded ?? 0, owned.filter((p) => p.status?.phase === "Succeeded").length);
  const failed = Math.max(prev.failed ?? 0, owned.filter((p) => p.status?.phase === "Failed").length);
  const status = plan.status;
  status.active = running.length;
  status.succeeded = succeeded;
  status.failed = failed;
  (status as JobStatus & { ready?: number }).ready = running.filter(podIsReady).length;
  if (completedIndexes) status.completedIndexes = formatIndexes(completedIndexes);

  const finished = jobFinished(job);
  if (finished) {
    if (manage) plan.delete = running;
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) {
      const at = Date.parse(status.completionTime ?? getCondition(status.conditions, finished)?.lastTransitionTime ?? iso) + ttl * 1000;
      if (at <= now) plan.deleteJob = true;
      else plan.requeueAfterMs = at - now;
    }
    return plan;
  }

  if (job.spec.suspend) {
    status.conditions = setCondition(status.conditions, { type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended" }, new Date(now));
    if (manage) plan.delete = running;
    return plan;
  }
  if (getCondition(status.conditions, "Suspended")?.status === "True") {
    status.conditions = setCondition(status.conditions, { type: "Suspended", status: "False", reason: "JobResumed", message: "Job resumed" }, new Date(now));
  }
  status.startTime ??= iso;

  const fail = (reason: string, message: string) => {
    status.conditions = setCondition(status.conditions, { type: "Failed", status: "True", reason, message, lastProbeTime: iso }, new Date(now));
    plan.events.push({ type: "Warning", reason, message });
    if (manage) plan.delete = running;
  };
  const backoffLimit = job.spec.backoffLimit ?? 6;
  const onFailureRestarts = job.spec.template.spec.restartPolicy === "OnFailure" ? running.reduce((n, p) => n + restartsOf(p), 0) : 0;
  if (failed + onFailureRestarts > backoffLimit) {
    fail("BackoffLimitExceeded", "Job has reached the specified backoff limit");
    return plan;
  }
  const deadline = job.spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) {
    const due = Date.parse(status.startTime) + deadline * 1000;
    if (due <= now) {
      fail("DeadlineExceeded", "Job was active longer than specified deadline");
      return plan;
    }
    plan.requeueAfterMs = due - now;
  }

  const completions = job.spec.completions;
  const parallelism = job.spec.parallelism ?? 1;
  const done = completions !== undefined && completions !== null ? succeeded >= completions : succeeded > 0 && running.length === 0 && terminating.length === 0;
  if (done) {
    status.completionTime = iso;
    status.conditions = setCondition(status.conditions, { type: "Complete", status: "True", lastProbeTime: iso }, new Date(now));
    plan.events.push({ type: "Normal", reason: "Completed", message: "Job completed" });
    if (manage) plan.delete = running;
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl !== undefined && ttl !== null) plan.requeueAfterMs = ttl * 1000;
    return plan;
  }

  let want = parallelism;
  if (completions !== undefined && completions !== null) want = Math.min(parallelism, completions - succeeded);
  else if (succeeded > 0) want = 0;
  if (!manage) return plan;
  // Terminating pods still hold their slot: they may still be running.
  const occupied = running.length + terminating.length;
  if (occupied < want) plan.create = want - occupied;
  const failedPods = owned.filter((p) => p.status?.phase === "Failed");
  if (plan.create > 0 && failedPods.length && backoffBaseMs > 0) {
    const due = Math.max(...failedPods.map(finishedAt)) + failureBackoffMs(failed, backoffBaseMs);
    if (due > now) {
      plan.create = 0;
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, due - now);
    }
  }
  if (completedIndexes) return planIndexes(plan, running, terminating, completions ?? 0, completedIndexes, want);
  if (running.length > want) plan.delete = podsToDelete(running, running.length - want);
  return plan;
}

function completedIndexesOf(job: Job, owned: Pod[]): Set<number> {
  const done = parseIndexes(job.status?.completedIndexes);
  const completions = job.spec.completions ?? 0;
  for (const p of owned) {
    const i = indexOf(p);
    if (p.status?.phase === "Succeeded" && i !== undefined && i < completions) done.add(i);
  }
  return done;
}

/**
 * Indexed Jobs: one pod per index still to do, lowest first; pods of finished,
 * out-of-range or duplicated indexes go.
 */
function planIndexes(plan: JobPlan, running: Pod[], terminating: Pod[], completions: number, done: Set<number>, want: number): JobPlan {
  const held = new Set<number>();
  const extra: Pod[] = [];
  const keep: Pod[] = [];
  for (const p of [...terminating, ...running]) {
    const i = indexOf(p);
    const isRunning = !isBeingDeleted(p);
    if (i === undefined || i >= completions || done.has(i) || held.has(i)) {
      if (isRunning) extra.push(p);
      continue;
    }
    held.add(i);
    if (isRunning) keep.push(p);
  }
  const tooMany = keep.length - Math.max(want, 0);
  const surplus = tooMany > 0 ? [...keep].sort((a, b) => (indexOf(b) ?? 0) - (indexOf(a) ?? 0)).slice(0, tooMany) : [];
  plan.delete = [...extra, ...surplus];
  plan.createIndexes = pendingIndexes(completions, done, held).slice(0, plan.create);
  plan.create = plan.createIndexes.length;
  return plan;
}

// ---- the loop -------------------------------------------------------------------

/** A pod for the Job; for an Indexed Job it carries its index (annotation, label, JOB_COMPLETION_INDEX). */
export function jobPod(job: Job, labels: Record<string, string>, index?: number): Pod {
  if (index === undefined) return podFromTemplate(job.spec.template, job, { extraLabels: labels });
  const pod = podFromTemplate(job.spec.template, job, { extraLabels: { ...labels, [completionIndexAnnotation]: String(index) }, generateName: `${job.metadata.name}-${index}-` });
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [completionIndexAnnotation]: String(index) };
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    c.env = [...(c.env ?? []).filter((e) => e.name !== "JOB_COMPLETION_INDEX"), { name: "JOB_COMPLETION_INDEX", value: String(index) }];
  }
  return pod;
}

/** The Job's selector, defaulting to its own controller-uid label as Kubernetes does. */
function jobSelects(job: Job, labels: Record<string, string>): boolean {
  if (!isEmptySelector(job.spec.selector)) return workloadSelects(job.spec.selector, labels);
  return labels[controllerUidLabel] === job.metadata.uid || labels["controller-uid"] === job.metadata.uid;
}

export const jobController: ControllerDefinition = {
  name: "job",
  setup(ctx, queue) {
    const jobs = ctx.informer(Jobs);
    const pods = ctx.informer(Pods);
    const expectations = new Expectations(30_000, ctx.now);
    wireSelf(jobs, queue);
    wireOwnedPods(pods, { kind: "Job", owners: jobs, queue, expectations, selects: jobSelects });
    return (key) => syncJob(ctx, key, jobs.getByKey(key), pods.list(), expectations);
  },
};

async function syncJob(ctx: ControllerContext, key: string, job: Job | undefined, allPods: Pod[], expectations: Expectations): Promise<SyncResult> {
  if (!job) {
    expectations.forget(key);
    return;
  }
  const { namespace, name } = splitNamespacedName(key);
  const claim = claimObjects(job, (labels) => jobSelects(job, labels), allPods.filter((p) => p.metadata.namespace === namespace));
  await settleClaim(ctx.client, job, claim.adopt, claim.release);
  const manage = expectations.satisfied(key) && !isBeingDeleted(job);
  const plan = reconcileJob(job, claim.owned, ctx.now(), manage, ctx.options.jobBackoffBaseMs);

  if (plan.deleteJob) {
    ctx.event(job, "Normal", "TTLExpired", `Job ${name} deleted after ttlSecondsAfterFinished`);
    await ctx.client.delete(Jobs, namespace, name, { propagationPolicy: "Background" }).catch((err: unknown) => {
      if (!isApiError(err, "NotFound")) throw err;
    });
    return;
  }
  let failure: unknown;
  if (plan.create > 0) {
    expectations.expect(key, plan.create);
    const labels = { [controllerUidLabel]: job.metadata.uid ?? "", [jobNameLabel]: name, "controller-uid": job.metadata.uid ?? "", "job-name": name };
    const indexes = plan.createIndexes ?? Array.from({ length: plan.create }, () => undefined);
    const results = await inBatches(indexes, 50, (index) => ctx.client.create(Pods, jobPod(job, labels, index)));
    for (const r of results) {
      if (r.status === "fulfilled") ctx.event(job, "Normal", "SuccessfulCreate", `Created pod: ${(r.value as Pod).metadata.name}`);
      else {
        expectations.creationObserved(key);
        if (isNamespaceTerminating(r.reason)) continue;
        failure ??= r.reason;
        ctx.event(job, "Warning", "FailedCreate", `Error creating: ${(r.reason as Error).message}`);
      }
    }
  }
  if (plan.delete.length) {
    expectations.expect(key, 0, plan.delete.map((p) => p.metadata.uid ?? ""));
    const results = await inBatches(plan.delete, 50, (p) => ctx.client.delete(Pods, namespace, p.metadata.name ?? ""));
    results.forEach((r, i) => {
      const pod = plan.delete[i];
      if (r.status === "fulfilled") return ctx.event(job, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      expectations.deletionObserved(key, pod.metadata.uid ?? "");
      if (!isApiError(r.reason, "NotFound")) failure ??= r.reason;
    });
  }
  for (const e of plan.events) ctx.event(job, e.type, e.reason, e.message);
  if (canonicalJson(job.status ?? {}) !== canonicalJson(plan.status)) {
    await ctx.client.patch(Jobs, namespace, name, { status: plan.status }, "merge", "status");
  }
  if (failure) throw failure;
  return plan.requeueAfterMs;
}
