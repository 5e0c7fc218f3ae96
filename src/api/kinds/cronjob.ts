// batch/v1 CronJob: the registry entry.
import { formatAge } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import type { CronJob } from "../types.ts";
import { ageColumn, containerImages, containerNames } from "./columns.ts";
import { defaultCronJob, validateCronJob } from "./job-admission.ts";
import { admission } from "./admission.ts";

export const CronJobs: ResourceType<CronJob> = {
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  singular: "cronjob",
  shortNames: ["cj"],
  namespaced: true,
  subresources: ["status"],
  statusSubresource: true,
  ...admission("CronJob", defaultCronJob, validateCronJob),
  columns: [
    { name: "SCHEDULE", value: (c) => c.spec?.schedule ?? "" },
    { name: "TIMEZONE", value: (c) => c.spec?.timeZone ?? "<none>" },
    { name: "SUSPEND", value: (c) => (c.spec?.suspend ? "True" : "False") },
    { name: "ACTIVE", value: (c) => String(c.status?.active?.length ?? 0) },
    { name: "LAST SCHEDULE", value: (c, now) => (c.status?.lastScheduleTime ? formatAge(c.status.lastScheduleTime, now) : "<none>") },
    ageColumn(),
    { name: "CONTAINERS", priority: 1, value: (c) => containerNames(c.spec?.jobTemplate?.spec?.template) },
    { name: "IMAGES", priority: 1, value: (c) => containerImages(c.spec?.jobTemplate?.spec?.template) },
  ],
};
