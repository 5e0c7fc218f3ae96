// core/v1 Event: the registry entry.
import { formatAge } from "../meta.ts";
import type { ResourceType } from "../resource-type.ts";
import type { Event } from "../types.ts";
import { validateEvent } from "./event-admission.ts";
import { admission } from "./admission.ts";

export function eventLastSeen(e: Event): string | undefined {
  return e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp;
}

export const Events: ResourceType<Event> = {
  group: "",
  version: "v1",
  kind: "Event",
  plural: "events",
  singular: "event",
  shortNames: ["ev"],
  namespaced: true,
  subresources: [],
  statusSubresource: false,
  ...admission("Event", undefined, validateEvent),
  selectableFields: {
    "involvedObject.kind": (e) => e.involvedObject?.kind ?? "",
    "involvedObject.namespace": (e) => e.involvedObject?.namespace ?? "",
    "involvedObject.name": (e) => e.involvedObject?.name ?? "",
    "involvedObject.uid": (e) => e.involvedObject?.uid ?? "",
    "involvedObject.apiVersion": (e) => e.involvedObject?.apiVersion ?? "",
    "involvedObject.resourceVersion": (e) => e.involvedObject?.resourceVersion ?? "",
    "involvedObject.fieldPath": (e) => e.involvedObject?.fieldPath ?? "",
    reason: (e) => e.reason ?? "",
    reportingComponent: (e) => e.reportingComponent ?? "",
    source: (e) => e.source?.component ?? "",
    type: (e) => e.type ?? "",
  },
  columns: [
    { name: "LAST SEEN", value: (e, now) => formatAge(eventLastSeen(e), now) },
    { name: "TYPE", value: (e) => e.type ?? "" },
    { name: "REASON", value: (e) => e.reason ?? "" },
    { name: "OBJECT", value: (e) => `${(e.involvedObject?.kind ?? "").toLowerCase()}/${e.involvedObject?.name ?? ""}` },
    { name: "MESSAGE", value: (e) => (e.message ?? "").trim() },
  ],
};
