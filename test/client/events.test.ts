import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import type { Event, KubeObject } from "../../src/api/types.ts";
import type { Client, ResourceRef } from "../../src/client/client.ts";
import { newEvent, recordEvent } from "../../src/client/events.ts";

const pod: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "prod", uid: "u1", resourceVersion: "7" } };
const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "u2" } };

function fakeClient() {
  const events = new Map<string, Event>();
  const calls: string[] = [];
  let failCreate = false;
  const client = {
    async create<T extends KubeObject>(_rt: ResourceRef, obj: T): Promise<T> {
      calls.push(`create ${obj.metadata.namespace}/${obj.metadata.name}`);
      if (failCreate) throw ApiError.unavailable("down");
      events.set(obj.metadata.name!, obj as unknown as Event);
      return obj;
    },
    async patch<T extends KubeObject>(_rt: ResourceRef, ns: string, name: string, patch: Partial<Event>): Promise<T> {
      calls.push(`patch ${ns}/${name} count=${patch.count}`);
      const ev = events.get(name);
      if (!ev) throw ApiError.notFound("events", name);
      Object.assign(ev, patch);
      return ev as unknown as T;
    },
  };
  return { client: client as unknown as Client, events, calls, setFailCreate: (v: boolean) => (failCreate = v) };
}

describe("recordEvent", () => {
  test("newEvent describes the involved object", () => {
    const ev = newEvent(pod, "Warning", "BackOff", "restarting", "kubelet", new Date("2026-01-01T00:00:00Z"));
    expect(ev.metadata.namespace).toBe("prod");
    expect(ev.metadata.name).toStartWith("web-1.");
    expect(ev.involvedObject).toEqual({ apiVersion: "v1", kind: "Pod", namespace: "prod", name: "web-1", uid: "u1", resourceVersion: "7" });
    expect(ev.count).toBe(1);
    expect(ev.firstTimestamp).toBe("2026-01-01T00:00:00.000Z");
    expect(ev.source).toEqual({ component: "kubelet" });
    expect(newEvent(node, "Normal", "Ready", "ok", "x").metadata.namespace).toBe("default");
  });

  test("repeats are folded into one Event by count", async () => {
    const { client, events, calls } = fakeClient();
    await recordEvent(client, pod, "Warning", "BackOff", "restarting", "kubelet");
    await recordEvent(client, pod, "Warning", "BackOff", "restarting", "kubelet");
    await recordEvent(client, pod, "Warning", "BackOff", "restarting", "kubelet");
    expect(events.size).toBe(1);
    expect([...events.values()][0].count).toBe(3);
    expect(calls.map((c) => c.split(" ")[0])).toEqual(["create", "patch", "patch"]);
    await recordEvent(client, pod, "Warning", "BackOff", "other message", "kubelet");
    expect(events.size).toBe(2);
  });

  test("a deleted aggregate is created again", async () => {
    const { client, events } = fakeClient();
    await recordEvent(client, pod, "Normal", "Pulled", "done", "kubelet");
    events.clear();
    await recordEvent(client, pod, "Normal", "Pulled", "done", "kubelet");
    expect(events.size).toBe(1);
    expect([...events.values()][0].count).toBe(1);
  });

  test("never throws", async () => {
    const { client, setFailCreate } = fakeClient();
    setFailCreate(true);
    await recordEvent(client, pod, "Normal", "Scheduled", "x", "scheduler");
  });
});

test("concurrent repeats (fire and forget) still fold into one Event", async () => {
  const { client, events } = fakeClient();
  await Promise.all(Array.from({ length: 5 }, () => recordEvent(client, pod, "Warning", "BackOff", "again", "kubelet")));
  expect(events.size).toBe(1);
  expect([...events.values()][0].count).toBe(5);
});
