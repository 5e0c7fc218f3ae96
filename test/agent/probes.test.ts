import { describe, expect, test } from "bun:test";
import { initialProbeState, nextProbeState, ProbeManager, runProbe, type ProbeTarget } from "../../src/agent/probes.ts";
import type { Probe } from "../../src/api/types.ts";
import { waitFor } from "../support/wait.ts";

function apply(kind: "liveness" | "readiness" | "startup", probe: Probe, outcomes: boolean[]): boolean[] {
  let s = initialProbeState(kind);
  return outcomes.map((ok) => (s = nextProbeState(s, ok, probe, kind)).ok);
}

describe("nextProbeState", () => {
  test("liveness fails only after failureThreshold consecutive failures", () => {
    expect(apply("liveness", { failureThreshold: 3 }, [false, false, true, false, false, false])).toEqual([true, true, true, true, true, false]);
  });
  test("readiness needs successThreshold successes, and fails after failureThreshold", () => {
    expect(apply("readiness", { successThreshold: 2, failureThreshold: 1 }, [true, true, false, true, true])).toEqual([false, true, false, false, true]);
  });
  test("startup starts false and flips on the first success", () => {
    expect(apply("startup", { successThreshold: 5 }, [false, true])).toEqual([false, true]);
  });
});

const target = (port: number): ProbeTarget => ({ host: "127.0.0.1", port: (p) => (p === "web" || p === 80 ? port : Number(p)), env: { PATH: process.env.PATH ?? "" }, cwd: "/" });

describe("runProbe", () => {
  test("httpGet: 2xx/3xx succeed, other codes and refused connections fail; named ports map to host ports", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response("x", { status: new URL(req.url).pathname === "/ok" ? 200 : 500 }) });
    try {
      expect((await runProbe({ httpGet: { path: "/ok", port: "web" } }, target(server.port!))).ok).toBe(true);
      const bad = await runProbe({ httpGet: { path: "/bad", port: 80 } }, target(server.port!));
      expect(bad).toEqual({ ok: false, message: "HTTP probe failed with statuscode: 500" });
    } finally {
      server.stop(true);
    }
    expect((await runProbe({ httpGet: { path: "/ok", port: "web" } }, target(server.port!))).ok).toBe(false);
  });

  test("tcpSocket and exec", async () => {
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      expect((await runProbe({ tcpSocket: { port: l.port } }, target(l.port))).ok).toBe(true);
    } finally {
      l.stop(true);
    }
    expect((await runProbe({ tcpSocket: { port: l.port } }, target(l.port))).ok).toBe(false);
    expect((await runProbe({ exec: { command: ["true"] } }, target(1))).ok).toBe(true);
    expect((await runProbe({ exec: { command: ["sh", "-c", "exit 4"] } }, target(1))).message).toContain("exited with 4");
    const slow = await runProbe({ exec: { command: ["sleep", "5"] }, timeoutSeconds: 1 }, target(1));
    expect(slow.ok).toBe(false);
  });
});

describe("ProbeManager", () => {
  test("an adopted container keeps the readiness it had until a probe says otherwise", () => {
    const pm = new ProbeManager(() => {});
    const slow = { periodSeconds: 60, initialDelaySeconds: 60, exec: { command: ["false"] } };
    pm.ensure({ id: "fresh", podUid: "u", readiness: slow, target: target(1) });
    pm.ensure({ id: "adopted", podUid: "u", readiness: slow, startup: slow, wasReady: true, wasStarted: true, target: target(1) });
    expect(pm.view("fresh")).toEqual({ healthy: true, started: true, ready: false });
    expect(pm.view("adopted")).toEqual({ healthy: true, started: true, ready: true });
    pm.close();
  });

  test("reports a liveness failure after the threshold and exposes the view", async () => {
    const changes: string[] = [];
    const pm = new ProbeManager((uid, id, kind, state) => changes.push(`${uid}/${id}/${kind}=${state.ok}`));
    pm.ensure({ id: "c1", podUid: "u", liveness: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 1 }, readiness: { exec: { command: ["true"] }, periodSeconds: 1 }, target: target(1) });
    await waitFor("two probe results", () => changes.length >= 2, { timeoutMs: 5000 });
    pm.close();
    expect(changes.sort()).toEqual(["u/c1/liveness=false", "u/c1/readiness=true"]);
  });
});
