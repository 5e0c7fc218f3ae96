import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ProcessRuntime } from "../../../src/agent/runtime/process.ts";
import { groupAlive, parseProcStat, readProcStat } from "../../../src/agent/runtime/proc.ts";
import { Cgroups } from "../../../src/agent/runtime/cgroups.ts";
import type { ContainerConfig, RuntimeContainer } from "../../../src/agent/runtime/runtime.ts";
import { waitFor } from "../../support/wait.ts";

let dir: string;
const runtimes: ProcessRuntime[] = [];
const pids: number[] = [];

function config(name: string, argv: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    podUid: "uid-1",
    podNamespace: "default",
    podName: "p",
    containerName: name,
    attempt: 0,
    init: false,
    argv,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", GREETING: "hi" },
    workingDir: join(dir, "work"),
    limits: {},
    logPath: join(dir, "logs", `${name}.log`),
    ...extra,
  };
}

async function runtime(): Promise<ProcessRuntime> {
  const rt = new ProcessRuntime({ stateDir: join(dir, "state"), adoptPollMs: 50 });
  await rt.init();
  runtimes.push(rt);
  return rt;
}

function find(rt: ProcessRuntime, id: string): RuntimeContainer | undefined {
  return rt.list().find((c) => c.id === id);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-runtime-"));
});

afterEach(() => {
  for (const rt of runtimes.splice(0)) rt.close();
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("parseProcStat", () => {
  test("reads state and start time even with spaces and parens in the name", () => {
    const line = "1234 (a (weird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100";
    expect(parseProcStat(line)).toEqual({ state: "S", pgrp: 1234, startTime: 987654 });
  });
  test("rejects garbage", () => {
    expect(parseProcStat("nonsense")).toBeUndefined();
  });
});

describe("ProcessRuntime", () => {
  test("runs a process with env and working dir, logs to a file, reports exit code", async () => {
    const rt = await runtime();
    const c = await rt.start(config("echo", ["sh", "-c", "echo $GREETING; pwd; echo oops >&2; exit 3"]));
    const done = await waitFor("the container to exit", () => find(rt, c.id)?.exit, { timeoutMs: 5000 });
    expect(done.exitCode).toBe(3);
    expect(done.reason).toBe("Error");
    const log = readFileSync(c.logPath, "utf8");
    expect(log).toContain("hi\n");
    expect(log).toContain(join(dir, "work"));
    expect(log).toContain("oops");
  });

  test("a missing executable is a StartError, not a crash", async () => {
    const rt = await runtime();
    const c = await rt.start(config("nope", ["/definitely/not/here"]));
    expect(c.exit?.reason).toBe("StartError");
    expect(c.exit?.message).toContain("/definitely/not/here");
  });

  test("stop sends SIGTERM to the whole group first, then SIGKILL after the grace period", async () => {
    const rt = await runtime();
    const marker = join(dir, "termed");
    const trapped = join(dir, "trapped");
    const c = await rt.start(config("trap", ["sh", "-c", `trap 'echo term > ${marker}; exit 0' TERM; touch ${trapped}; sleep 60 & wait`]));
    pids.push(c.pid!);
    await waitFor("the shell's TERM trap", () => existsSync(trapped));
    const t = Date.now();
    await rt.stop(c.id, 5000);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(readFileSync(marker, "utf8")).toBe("term\n");
    expect(find(rt, c.id)?.exit?.exitCode).toBe(0);

    const ignoring = join(dir, "ignoring");
    const stubborn = await rt.start(config("stubborn", ["sh", "-c", `trap '' TERM; touch ${ignoring}; while true; do sleep 0.05; done`]));
    pids.push(stubborn.pid!);
    await waitFor("the shell ignoring TERM", () => existsSync(ignoring));
    const t0 = Date.now();
    await rt.stop(stubborn.id, 300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const exit = find(rt, stubborn.id)?.exit;
    expect(exit?.signal).toBe(9);
    expect(exit?.exitCode).toBe(137);
  });

  test("when the main process exits, what it left in its process group is killed", async () => {
    const rt = await runtime();
    const pidFile = join(dir, "bg.pid");
    const c = await rt.start(config("leaver", ["sh", "-c", `sleep 60 & echo $! > ${pidFile}; kill -STOP $!; exit 0`]));
    pids.push(c.pid!);
    await waitFor("the container to exit", () => find(rt, c.id)?.exit, { timeoutMs: 5000 });
    const bg = Number(readFileSync(pidFile, "utf8").trim());
    await waitFor("the process group gone", () => !groupAlive(c.pid!), { timeoutMs: 5000 });
    const st = readProcStat(bg);
    expect(st === undefined || st.state === "Z").toBe(true); // gone, or a zombie waiting for init
  });

  test("a new runtime over the same state dir adopts running processes and sees them exit", async () => {
    const rt1 = await runtime();
    const c = await rt1.start(config("sleeper", ["sleep", "30"], { attempt: 4 }));
    pids.push(c.pid!);
    rt1.close();

    const rt2 = await runtime();
    const adopted = find(rt2, c.id);
    expect(adopted?.pid).toBe(c.pid);
    expect(adopted?.attempt).toBe(4);
    expect(adopted?.exit).toBeUndefined();

    const exited: RuntimeContainer[] = [];
    rt2.onExit((x) => exited.push(x));
    await rt2.stop(c.id, 1000);
    const exit = await waitFor("the adopted container to exit", () => find(rt2, c.id)?.exit, { timeoutMs: 5000 });
    expect(exit.reason).toBe("ContainerStatusUnknown");
    expect(exited.map((x) => x.id)).toEqual([c.id]);
    await rt2.remove(c.id);
    expect(find(rt2, c.id)).toBeUndefined();
  });

  // Only where this host lets us create cgroups (root with cgroup v1 memory or v2).
  const group = `skiff-test-oom-${process.pid}`;
  const probe = new Cgroups(group).create("probe", { memoryBytes: 64 * 1024 * 1024 });
  const groupDirs = probe ? [probe.spawnPath, ...probe.extraPaths].map((d) => dirname(d)) : [];
  if (probe) for (const d of [probe.spawnPath, ...probe.extraPaths]) rmdirSync(d);
  test.skipIf(!probe)("a memory limit is enforced and reported as OOMKilled", async () => {
    const rt = new ProcessRuntime({ stateDir: join(dir, "state"), cgroupGroup: group });
    await rt.init();
    runtimes.push(rt);
    try {
      const c = await rt.start(config("hog", ["python3", "-c", "a = bytearray(300 * 1024 * 1024); print('allocated')"], { limits: { memoryBytes: 50 * 1024 * 1024 } }));
      const exit = await waitFor("the container to exit", () => find(rt, c.id)?.exit, { timeoutMs: 20_000 });
      expect(exit.reason).toBe("OOMKilled");
      expect(exit.exitCode).toBe(137);
      expect(readFileSync(c.logPath, "utf8")).not.toContain("allocated");
    } finally {
      // The container's cgroup is removed when it exits; the group dir is ours to remove.
      for (const d of groupDirs) rmdirSync(d);
    }
  });
});
