// DaemonSets, Jobs and Endpoints end to end, with hollow nodes and a fake kubelet.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { controllerOf, getCondition, isBeingDeleted } from "../../../src/api/meta.ts";
import { CronJobs, DaemonSets, EndpointsResource, Events, Jobs, Nodes, Pods, ReplicationControllers, Services } from "../../../src/api/registry.ts";
import type { CronJob, DaemonSet, Endpoints, Event, Job, Pod, ReplicationController, Service } from "../../../src/api/types.ts";
import { startTestCluster, type TestCluster } from "../../support/cluster.ts";
import { waitFor } from "../../support/wait.ts";

let c: TestCluster;
beforeAll(async () => {
  c = await startTestCluster({
    nodes: ["w1", "w2"],
    kubelet: {
      // Pods labelled outcome=fail exit 1 at once; outcome=done exit 0.
      behaviour: (p) => (p.metadata.labels?.outcome === "fail" ? { phase: "Failed", exitCode: 1 } : p.metadata.labels?.outcome === "done" ? { phase: "Succeeded" } : { phase: "Running", ready: true }),
    },
  });
});
afterAll(async () => {
  await c?.stop();
});

const livePods = async (selector: string) => (await c.client.list<Pod>(Pods, "default", { labelSelector: selector })).items.filter((p) => !isBeingDeleted(p));

describe("DaemonSet", () => {
  test("one pod per eligible node, following nodes as they come and go, and rolling out a new template", async () => {
    const ds: DaemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "agent:1" }], nodeSelector: { edge: "yes" } } },
      },
    };
    await c.kubelet.addNode("d1", { labels: { edge: "yes" } });
    await c.kubelet.addNode("d2", { labels: { edge: "yes" } });
    await c.client.create(DaemonSets, ds);
    const onNodes = async () => (await livePods("app=agent")).map((p) => p.spec.nodeName).sort().join(",");
    await waitFor("daemon pods on d1,d2", async () => (await onNodes()) === "d1,d2");

    await c.kubelet.addNode("d3", { labels: { edge: "yes" } });
    await waitFor("a daemon pod on the new node d3", async () => (await onNodes()) === "d1,d2,d3");
    await c.kubelet.removeNode("d1");
    await waitFor("the pod on removed node d1 gone", async () => (await onNodes()) === "d2,d3");
    // Relabelling a node out of the selector takes its pod away.
    await c.client.patch(Nodes, undefined, "d2", { metadata: { labels: { edge: "no" } } }, "merge");
    await waitFor("d2 no longer eligible", async () => (await onNodes()) === "d3");

    await waitFor("status", async () => {
      const s = (await c.client.get<DaemonSet>(DaemonSets, "default", "agent")).status;
      return s?.desiredNumberScheduled === 1 && s.numberReady === 1 && s.currentNumberScheduled === 1;
    });

    await c.client.patch(Nodes, undefined, "d2", { metadata: { labels: { edge: "yes" } } }, "merge");
    await waitFor("d2 back", async () => (await onNodes()) === "d2,d3");
    await c.client.patch(DaemonSets, "default", "agent", { spec: { template: { spec: { containers: [{ name: "c", image: "agent:2" }] } } } }, "strategic");
    await waitFor("every daemon pod on agent:2", async () => {
      const pods = await livePods("app=agent");
      return pods.length === 2 && pods.every((p) => p.spec.containers[0].image === "agent:2");
    });
    const pods = await livePods("app=agent");
    expect(pods.every((p) => p.spec.tolerations?.some((t) => t.key === "node.kubernetes.io/unreachable"))).toBe(true);
  }, 30_000);
});

describe("Job", () => {
  test("runs to completion within parallelism", async () => {
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "ok", namespace: "default" },
      spec: { completions: 3, parallelism: 2, template: { metadata: { labels: { outcome: "done" } }, spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } },
    };
    await c.client.create(Jobs, job);
    const done = await waitFor("Complete", async () => {
      const j = await c.client.get<Job>(Jobs, "default", "ok");
      return getCondition(j.status?.conditions, "Complete")?.status === "True" ? j : undefined;
    });
    expect(done.status?.succeeded).toBe(3);
    expect(done.status?.completionTime).toBeDefined();
  }, 20_000);

  test("Indexed: one successful pod per completion index", async () => {
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "idx", namespace: "default" },
      spec: { completions: 3, parallelism: 2, completionMode: "Indexed", template: { metadata: { labels: { outcome: "done" } }, spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } },
    };
    await c.client.create(Jobs, job);
    const done = await waitFor("Complete", async () => {
      const j = await c.client.get<Job>(Jobs, "default", "idx");
      return getCondition(j.status?.conditions, "Complete")?.status === "True" ? j : undefined;
    });
    expect(done.status?.completedIndexes).toBe("0-2");
    const pods = (await c.client.list<Pod>(Pods, "default", { labelSelector: "job-name=idx" })).items;
    expect(pods.map((p) => p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]).sort()).toEqual(["0", "1", "2"]);
  }, 20_000);

  test("failures hit backoffLimit and fail the Job", async () => {
    const job: Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "flaky", namespace: "default" },
      spec: { backoffLimit: 2, template: { metadata: { labels: { outcome: "fail" } }, spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } },
    };
    await c.client.create(Jobs, job);
    const failed = await waitFor("Failed", async () => {
      const j = await c.client.get<Job>(Jobs, "default", "flaky");
      return getCondition(j.status?.conditions, "Failed")?.status === "True" ? j : undefined;
    });
    expect(getCondition(failed.status?.conditions, "Failed")?.reason).toBe("BackoffLimitExceeded");
    // backoffLimit 2: the third failure ends it; no pod beyond that was started.
    expect(failed.status?.failed).toBe(3);
    const pods = (await c.client.list<Pod>(Pods, "default", { labelSelector: `job-name=flaky` })).items;
    expect(pods.length).toBe(3);
    const events = (await c.client.list<Event>(Events, "default")).items.filter((e) => e.involvedObject.name === "flaky");
    expect(events.some((e) => e.reason === "BackoffLimitExceeded")).toBe(true);
  }, 20_000);
});

describe("Endpoints", () => {
  test("track ready and not-ready pods with named target ports", async () => {
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { selector: { app: "ep" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    };
    await c.client.create(Services, svc);
    const podFor = (name: string): Pod => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { app: "ep" } },
      spec: { containers: [{ name: "c", image: "x", ports: [{ name: "http", containerPort: 8080 }] }] },
    });
    await c.client.create(Pods, podFor("ep-1"));
    await c.client.create(Pods, podFor("ep-2"));
    const ready = await waitFor("two ready addresses", async () => {
      const ep = await c.client.get<Endpoints>(EndpointsResource, "default", "web");
      return ep.subsets?.[0]?.addresses?.length === 2 ? ep : undefined;
    });
    expect(ready.subsets?.[0].ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);

    // Readiness lost: the address moves to notReadyAddresses.
    const p1 = await c.client.get<Pod>(Pods, "default", "ep-1");
    const conditions = p1.status!.conditions!.map((x) => (x.type === "Ready" ? { ...x, status: "False" as const } : x));
    await c.client.patch(Pods, "default", "ep-1", { status: { conditions } }, "merge", "status");
    await waitFor("ep-1 not ready", async () => {
      const ep = await c.client.get<Endpoints>(EndpointsResource, "default", "web");
      return ep.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.name === "ep-1" && ep.subsets[0].addresses?.length === 1;
    });
    await c.client.delete(Pods, "default", "ep-2");
    await waitFor("ep-2 gone", async () => {
      const ep = await c.client.get<Endpoints>(EndpointsResource, "default", "web");
      return !ep.subsets?.[0]?.addresses?.length;
    });
    await c.client.delete(Services, "default", "web");
    await waitFor("Endpoints removed with the Service", async () => {
      try {
        await c.client.get(EndpointsResource, "default", "web");
        return false;
      } catch {
        return true;
      }
    });
  }, 20_000);
});


describe("CronJob", () => {
  test("creates Jobs on schedule, keeps the history limit, stops when suspended", async () => {
    const cj: CronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick", namespace: "default" },
      spec: {
        schedule: "@every 1s",
        successfulJobsHistoryLimit: 2,
        jobTemplate: { spec: { template: { metadata: { labels: { outcome: "done" } }, spec: { containers: [{ name: "c", image: "x" }], restartPolicy: "Never" } } } },
      },
    };
    await c.client.create(CronJobs, cj);
    const created = async () => (await c.client.list<Event>(Events, "default")).items.filter((e) => e.involvedObject.name === "tick" && e.reason === "SuccessfulCreate");
    await waitFor("three scheduled Jobs", async () => (await created()).length >= 3, { timeoutMs: 15_000 });
    await waitFor("history trimmed to the limit", async () => {
      const jobs = (await c.client.list<Job>(Jobs, "default")).items.filter((j) => j.metadata.name?.startsWith("tick-"));
      const finished = jobs.filter((j) => getCondition(j.status?.conditions, "Complete")?.status === "True");
      return finished.length <= 2 && jobs.length <= 3;
    });
    const withStatus = await waitFor("lastSuccessfulTime", async () => {
      const got = await c.client.get<CronJob>(CronJobs, "default", "tick");
      return got.status?.lastSuccessfulTime && got.status.lastScheduleTime ? got : undefined;
    });
    expect(Date.parse(withStatus.status!.lastScheduleTime!)).toBeGreaterThan(0);

    await c.client.patch(CronJobs, "default", "tick", { spec: { suspend: true } }, "merge");
    // Let one schedule tick pass, then the count must stay put for another two.
    await waitFor("suspension observed", async () => (await c.client.get<CronJob>(CronJobs, "default", "tick")).spec.suspend === true);
    const before = (await created()).length;
    // Negative assertion: for 2.5 s (two more ticks of the schedule) no further Job may be created.
    await Bun.sleep(2500);
    expect((await created()).length).toBeLessThanOrEqual(before + 1);
  }, 30_000);
});

describe("ReplicationController", () => {
  test("adopts matching orphans, creates the rest, releases and replaces a pod that stops matching", async () => {
    for (const name of ["orphan-1", "orphan-2"]) {
      await c.client.create<Pod>(Pods, { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default", labels: { app: "rc" } }, spec: { containers: [{ name: "c", image: "x" }] } });
    }
    const rc: ReplicationController = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy", namespace: "default" },
      spec: { replicas: 3, selector: { app: "rc" }, template: { metadata: { labels: { app: "rc" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
    };
    const created = await c.client.create<ReplicationController>(ReplicationControllers, rc);
    const owned = async () => (await livePods("app=rc")).filter((p) => controllerOf(p)?.uid === created.metadata.uid);
    await waitFor("3 pods owned, the 2 orphans among them", async () => {
      const pods = await owned();
      return pods.length === 3 && ["orphan-1", "orphan-2"].every((n) => pods.some((p) => p.metadata.name === n));
    });
    await c.client.patch(Pods, "default", "orphan-1", { metadata: { labels: { app: "elsewhere" } } }, "merge");
    await waitFor("orphan-1 released and replaced", async () => {
      const released = await c.client.get<Pod>(Pods, "default", "orphan-1");
      return !controllerOf(released) && (await owned()).length === 3;
    });
    await waitFor("status", async () => (await c.client.get<ReplicationController>(ReplicationControllers, "default", "legacy")).status?.readyReplicas === 3);
  }, 20_000);
});
