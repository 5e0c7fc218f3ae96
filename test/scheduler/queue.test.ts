import { afterEach, describe, expect, test } from "bun:test";
import { newPodInfo } from "../../src/scheduler/pod-info.ts";
import { SchedulingQueue } from "../../src/scheduler/queue.ts";
import { pod } from "./fixtures.ts";

let clock = 1_000_000;
const queues: SchedulingQueue[] = [];
function newQueue(): SchedulingQueue {
  const q = new SchedulingQueue({ initialBackoffMs: 1000, maxBackoffMs: 8000, now: () => clock });
  queues.push(q);
  return q;
}
afterEach(() => {
  for (const q of queues.splice(0)) q.close();
});

const info = (name: string, priority = 0) => newPodInfo(pod(name, { spec: { priority } }));

describe("SchedulingQueue", () => {
  test("higher priority first, then first come", () => {
    const q = newQueue();
    q.add(info("low1", 0));
    clock++;
    q.add(info("high", 10));
    clock++;
    q.add(info("low2", 0));
    expect([q.tryPop()?.key, q.tryPop()?.key, q.tryPop()?.key]).toEqual(["default/high", "default/low1", "default/low2"]);
    expect(q.tryPop()).toBeUndefined();
  });

  test("an unschedulable pod waits for a cluster event, then backs off by attempts", () => {
    const q = newQueue();
    q.add(info("p"));
    const qp = q.tryPop()!;
    q.unschedulableAgain(qp);
    expect(q.counts()).toMatchObject({ unschedulable: 1, active: 0 });
    clock += 1500; // past the 1s backoff of attempt 1
    q.moveAllToActiveOrBackoff();
    expect(q.tryPop()?.key).toBe("default/p");
    q.unschedulableAgain(qp);
    q.moveAllToActiveOrBackoff(); // attempt 2: 2s backoff not yet over
    expect(q.counts()).toMatchObject({ backoff: 1, active: 0 });
    expect(q.backoffFor(1)).toBe(1000);
    expect(q.backoffFor(3)).toBe(4000);
    expect(q.backoffFor(10)).toBe(8000);
  });

  test("an event during the scheduling attempt sends the pod to backoff, not the unschedulable pool", () => {
    const q = newQueue();
    q.add(info("p"));
    const qp = q.tryPop()!;
    q.moveAllToActiveOrBackoff();
    q.unschedulableAgain(qp);
    expect(q.counts()).toMatchObject({ backoff: 1, unschedulable: 0 });
  });

  test("a change to a waiting pod's spec retries it; deletes drop it anywhere", () => {
    const q = newQueue();
    q.add(info("p"));
    const qp = q.tryPop()!;
    clock += 5000;
    q.unschedulableAgain(qp);
    clock += 5000;
    q.add(info("p")); // same spec: stays
    expect(q.counts().unschedulable).toBe(1);
    q.add(info("p", 5));
    expect(q.counts().active).toBe(1);
    q.delete("default/p");
    expect(q.counts().total).toBe(0);
    expect(q.tryPop()).toBeUndefined();
  });

  test("pop waits for a pod and resolves undefined on close", async () => {
    const q = newQueue();
    const waiting = q.pop();
    q.add(info("late"));
    expect((await waiting)?.key).toBe("default/late");
    const ending = q.pop();
    q.close();
    expect(await ending).toBeUndefined();
  });
});
