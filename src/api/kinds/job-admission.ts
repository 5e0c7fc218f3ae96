// Job and CronJob defaults and validation.
import { parseCronSchedule } from "../cron.ts";
import { isApiError } from "../errors.ts";
import type { CronJob, Job, JobSpec, StatusCause } from "../types.ts";
import { immutable, invalid, required, validateEnum, validateLabelSelector, validateMeta, validateNonNegative, validatePositive } from "../validation.ts";
import { defaultPodTemplate, validatePodTemplate } from "./pod-spec.ts";

const jobRestartPolicies = ["OnFailure", "Never"] as const;

/** As Kubernetes: completions 1 only when neither completions nor parallelism is set. */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
}

export function defaultJob(job: Job): void {
  if (!job.spec || typeof job.spec !== "object") return;
  defaultJobSpec(job.spec);
  defaultPodTemplate(job.spec.template);
}

export function validateJobSpec(spec: JobSpec | undefined, path: string): StatusCause[] {
  if (!spec || typeof spec !== "object") return [required(path)];
  const causes: StatusCause[] = [];
  causes.push(...validateNonNegative(spec.parallelism, `${path}.parallelism`));
  causes.push(...validateNonNegative(spec.completions, `${path}.completions`));
  causes.push(...validateNonNegative(spec.backoffLimit, `${path}.backoffLimit`));
  causes.push(...validatePositive(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  causes.push(...validateNonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  causes.push(...validateEnum(spec.completionMode, `${path}.completionMode`, ["NonIndexed", "Indexed"]));
  if (spec.completionMode === "Indexed" && (spec.completions === undefined || spec.completions === null)) {
    causes.push(required(`${path}.completions`, "when completion mode is Indexed"));
  }
  if (spec.selector) causes.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  causes.push(...validatePodTemplate(spec.template, `${path}.template`, { restartPolicies: jobRestartPolicies, selector: spec.selector }));
  if (spec.template?.spec && !spec.template.spec.restartPolicy) {
    causes.push(required(`${path}.template.spec.restartPolicy`, 'supported values: "OnFailure", "Never"'));
  }
  return causes;
}

export function validateJob(job: Job, old?: Job): StatusCause[] {
  const causes = validateMeta(job.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  causes.push(...validateJobSpec(job.spec, "spec"));
  if (old && job.spec && old.spec) {
    causes.push(...immutable(job.spec.selector, old.spec.selector, "spec.selector"));
    causes.push(...immutable(job.spec.template, old.spec.template, "spec.template"));
    causes.push(...immutable(job.spec.completions, old.spec.completions, "spec.completions"));
    causes.push(...immutable(job.spec.completionMode, old.spec.completionMode, "spec.completionMode"));
  }
  return causes;
}

export function defaultCronJob(cj: CronJob): void {
  if (!cj.spec || typeof cj.spec !== "object") return;
  const spec = cj.spec;
  spec.concurrencyPolicy ??= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  defaultPodTemplate(spec.jobTemplate?.spec?.template);
}

/** Job names are the CronJob's name plus "-" and a minute stamp, which must fit in 63. */
export const MAX_CRONJOB_NAME_LENGTH = 52;

export function validateCronJob(cj: CronJob, old?: CronJob): StatusCause[] {
  const causes = validateMeta(cj.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  if (cj.metadata?.name && cj.metadata.name.length > MAX_CRONJOB_NAME_LENGTH) {
    causes.push(invalid("metadata.name", cj.metadata.name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  }
  const spec = cj.spec;
  if (!spec || typeof spec !== "object") return [...causes, required("spec")];
  if (!spec.schedule) causes.push(required("spec.schedule"));
  else {
    try {
      parseCronSchedule(spec.schedule, spec.timeZone);
    } catch (err) {
      if (!isApiError(err)) throw err;
      const field = /time zone/.test(err.message) ? "spec.timeZone" : "spec.schedule";
      causes.push(invalid(field, field === "spec.timeZone" ? spec.timeZone : spec.schedule, err.message));
    }
  }
  causes.push(...validateEnum(spec.concurrencyPolicy, "spec.concurrencyPolicy", ["Allow", "Forbid", "Replace"]));
  causes.push(...validateNonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  causes.push(...validateNonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  causes.push(...validateNonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  if (!spec.jobTemplate || typeof spec.jobTemplate !== "object") causes.push(required("spec.jobTemplate"));
  else causes.push(...validateJobSpec(spec.jobTemplate.spec, "spec.jobTemplate.spec"));
  return causes;
}
