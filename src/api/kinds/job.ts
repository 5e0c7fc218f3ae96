// batch/v1 Job: the registry entry.
import { formatDuration } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import { selectorToString } from "../selectors.ts";
import type { Job } from "../types.ts";
import { ageColumn, containerImages, containerNames, num } from "./columns.ts";
import { defaultJob, validateJob } from "./job-admission.ts";
import { admission } from "./admission.ts";

function completions(job: Job): string {
  const succeeded = num(job.status?.succeeded);
  if (job.spec?.completions !== undefined && job.spec.completions !== null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: Job, now: number): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (Number.isNaN(start)) return "";
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return formatDuration(end - start);
}

export const Jobs: ResourceType<Job> = {
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  singular: "job",
  shortNames: [],
  namespaced: true,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("Job", defaultJob, validateJob),
  selectableFields: {
    "status.successful": (j) => num(j.status?.succeeded),
  },
  columns: [
    { name: "COMPLETIONS", value: completions },
    { name: "DURATION", value: duration },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (j) => containerNames(j.spec?.template) },
    { name: "IMAGES", priority: 1, value: (j) => containerImages(j.spec?.template) },
    { name: "SELECTOR", priority: 1, value: (j) => selectorToString(j.spec?.selector) },
  ],
};
