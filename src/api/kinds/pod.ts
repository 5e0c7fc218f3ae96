// core/v1 Pod: the registry entry (table columns, field selectors); defaults and
// validation are in pod-admission.ts and pod-spec.ts.
import { formatDuration, podIsReady } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import type { Pod } from "../types.ts";
import { ageColumn, orNone } from "./columns.ts";
import { defaultPod, validatePod } from "./pod-admission.ts";
import { admission } from "./admission.ts";

/** kubectl's STATUS column for a pod (printPod in kubectl's printers). */
export function podStatusReason(pod: Pod): string {
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || "Pending";
  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  const initCount = pod.spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const state = inits[i].state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    initializing = true;
    if (state.terminated) {
      const t = state.terminated;
      reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    } else if (state.waiting?.reason && state.waiting.reason !== "PodInitializing") {
      reason = `Init:${state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      const state = c.state ?? {};
      if (state.waiting?.reason) reason = state.waiting.reason;
      else if (state.terminated?.reason) reason = state.terminated.reason;
      else if (state.terminated) reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      else if (c.ready && state.running) hasRunning = true;
    }
    if (reason === "Completed" && hasRunning) {
      reason = podIsReady(pod) ? "Running" : "NotReady";
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podReady(pod: Pod): string {
  const total = pod.spec?.containers?.length ?? 0;
  const ready = (pod.status?.containerStatuses ?? []).filter((c) => c.ready && c.state?.running).length;
  return `${ready}/${total}`;
}

/** "3", or "3 (2m ago)" when the last restart's finish time is known. */
function podRestarts(pod: Pod, now: number): string {
  const initializing = (pod.status?.initContainerStatuses ?? []).some((c) => !(c.state?.terminated && c.state.terminated.exitCode === 0));
  const statuses = initializing ? pod.status?.initContainerStatuses ?? [] : pod.status?.containerStatuses ?? [];
  let restarts = 0;
  let last = 0;
  for (const c of statuses) {
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    const t = finished ? Date.parse(finished) : NaN;
    if (!Number.isNaN(t) && t > last) last = t;
  }
  return restarts > 0 && last > 0 ? `${restarts} (${formatDuration(now - last)} ago)` : String(restarts);
}

export const Pods: ResourceType<Pod> = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  namespaced: true,
  subresources: ["status", "binding", "log"],
  statusSubresource: true,
  ...admission("Pod", defaultPod, validatePod),
  selectableFields: {
    "spec.nodeName": (p) => p.spec?.nodeName ?? "",
    "spec.schedulerName": (p) => p.spec?.schedulerName ?? "",
    "spec.restartPolicy": (p) => p.spec?.restartPolicy ?? "",
    "spec.serviceAccountName": (p) => p.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (p) => String(p.spec?.hostNetwork ?? false),
    "status.phase": (p) => p.status?.phase ?? "",
    "status.podIP": (p) => p.status?.podIP ?? "",
    "status.nominatedNodeName": (p) => p.status?.nominatedNodeName ?? "",
  },
  columns: [
    { name: "READY", value: podReady },
    { name: "STATUS", value: podStatusReason },
    { name: "RESTARTS", value: podRestarts },
    ageColumn(),
    { name: "IP", priority: 1, value: (p) => orNone(p.status?.podIP) },
    { name: "NODE", priority: 1, value: (p) => orNone(p.spec?.nodeName) },
    { name: "NOMINATED NODE", priority: 1, value: (p) => orNone(p.status?.nominatedNodeName) },
  ],
};
