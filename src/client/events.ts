// Recording Events, the one way every component reports what it did to an
// object. Like Kubernetes' event recorder, repeats of the same event are folded
// into one Event whose count goes up, so a crash-looping pod does not flood the
// store. Recording never throws: an event is worth less than the work it reports.
import { isApiError } from "../api/errors.ts";
import type { Event, KubeObject } from "../api/types.ts";
import { logger } from "../util/log.ts";
import type { Client, ResourceRef } from "./client.ts";

export const EventsRef: ResourceRef = { group: "", version: "v1", plural: "events", namespaced: true, kind: "Event" };

/** How long a repeat is folded into the earlier Event. */
const aggregateWindowMs = 10 * 60 * 1000;
const maxRemembered = 4096;

interface Remembered {
  namespace: string;
  name: string;
  count: number;
  at: number;
}

const recent = new WeakMap<Client, Map<string, Remembered>>();
/** The last recording per (client, key), so concurrent repeats are counted, not created twice. */
const inflight = new WeakMap<Client, Map<string, Promise<void>>>();
const log = logger("events");

function rememberedFor(client: Client): Map<string, Remembered> {
  let m = recent.get(client);
  if (!m) recent.set(client, (m = new Map()));
  return m;
}

export type EventType = "Normal" | "Warning";

/** Build (not send) a new Event about `obj`. */
export function newEvent(obj: KubeObject, type: EventType, reason: string, message: string, component: string, now = new Date()): Event {
  const namespace = obj.metadata.namespace || "default";
  const objName = obj.metadata.name ?? "unknown";
  const timestamp = now.toISOString();
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${objName}.${(now.getTime() * 1000 + Math.floor(Math.random() * 1000)).toString(16)}`, namespace },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: objName,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
    },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: timestamp,
    lastTimestamp: timestamp,
    source: { component },
    reportingComponent: component,
  };
}

export function recordEvent(client: Client, obj: KubeObject, type: EventType, reason: string, message: string, component: string): Promise<void> {
  const key = [obj.kind, obj.metadata.namespace ?? "", obj.metadata.name ?? "", obj.metadata.uid ?? "", type, reason, message, component].join("\u0000");
  let pending = inflight.get(client);
  if (!pending) inflight.set(client, (pending = new Map()));
  const previous = pending.get(key) ?? Promise.resolve();
  const mine = previous.then(() => record(client, key, obj, type, reason, message, component));
  pending.set(key, mine);
  void mine.then(() => {
    if (pending.get(key) === mine) pending.delete(key);
  });
  return mine;
}

async function record(client: Client, key: string, obj: KubeObject, type: EventType, reason: string, message: string, component: string): Promise<void> {
  const remembered = rememberedFor(client);
  const now = Date.now();
  const prior = remembered.get(key);
  try {
    if (prior && now - prior.at < aggregateWindowMs) {
      const count = prior.count + 1;
      try {
        await client.patch(EventsRef, prior.namespace, prior.name, { count, lastTimestamp: new Date(now).toISOString() }, "merge");
        remember(remembered, key, { ...prior, count, at: now });
        return;
      } catch (err) {
        if (!isApiError(err, "NotFound")) throw err;
      }
    }
    const event = newEvent(obj, type, reason, message, component, new Date(now));
    const created = await client.create(EventsRef, event);
    remember(remembered, key, { namespace: created.metadata.namespace ?? event.metadata.namespace!, name: created.metadata.name ?? event.metadata.name!, count: 1, at: now });
  } catch (err) {
    log.warn("could not record event", { kind: obj.kind, name: obj.metadata.name, reason, error: err });
  }
}

function remember(m: Map<string, Remembered>, key: string, value: Remembered): void {
  m.delete(key);
  m.set(key, value);
  if (m.size > maxRemembered) m.delete(m.keys().next().value!);
}
