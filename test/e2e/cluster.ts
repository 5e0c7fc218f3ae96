// A real cluster for end-to-end tests: `skiff server` and `skiff agent`
// processes on loopback addresses (127.0.0.1 server, 127.0.0.2/.3… agents),
// free ports, a temp dir. Everything started here is stopped here, by pid.
import type { Subprocess } from "bun";
import { mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { groupAlive, isAlive } from "../../src/agent/runtime/proc.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import { loadKubeconfig } from "../../src/client/kubeconfig.ts";
import { waitFor } from "../support/wait.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");
/** `bun src/main.ts`, or a compiled skiff when SKIFF_BIN names one (e.g. dist/skiff). */
const SKIFF: string[] = process.env.SKIFF_BIN ? [process.env.SKIFF_BIN] : [process.execPath, MAIN];
/** Real processes, several of them, on a loaded box: slower than the default deadline. */
export const slow = { timeoutMs: 30_000, everyMs: 100 };

export interface Proc {
  proc: Subprocess;
  logPath: string;
  log(): string;
}

function spawnSkiff(args: string[], logPath: string, stdout: "pipe" | "file"): Proc {
  const fd = openSync(logPath, "a");
  const proc = Bun.spawn({
    cmd: [...SKIFF, ...args],
    stdio: ["ignore", stdout === "pipe" ? "pipe" : fd, fd],
    // Own process group: cleanup signals the group, never anything by name.
    detached: true,
    env: { ...process.env, SKIFF_LOG_LEVEL: process.env.SKIFF_LOG_LEVEL ?? "info" },
  });
  closeSync(fd);
  return { proc, logPath, log: () => readFileSync(logPath, "utf8") };
}

export interface AgentProc extends Proc {
  name: string;
  ip: string;
  dataDir: string;
}

export interface ContainerRecord {
  id: string;
  podName: string;
  podNamespace: string;
  containerName: string;
  attempt: number;
  pid?: number;
  pidStartTime?: number;
  exit?: unknown;
}

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), "skiff-e2e-"));
  server?: Proc & { url: string; dataDir: string; client: ApiClient; kubeconfig: string; nodeToken: string };
  readonly agents: AgentProc[] = [];
  private readonly extraProcs: Subprocess[] = [];

  async startServer(extra: string[] = []): Promise<NonNullable<Cluster["server"]>> {
    const dataDir = join(this.dir, "server");
    const p = spawnSkiff(["server", "--data-dir", dataDir, "--bind-address", "127.0.0.1", "--port", "0", "--disable-agent", "--sync", "normal", ...extra], join(this.dir, "server.log"), "pipe");
    const reader = (p.proc.stdout as ReadableStream<Uint8Array>).getReader();
    let out = "";
    const url = await waitFor("server URL on stdout", async () => {
      const { value, done } = await reader.read();
      if (done) throw new Error(`server exited: ${p.log()}`);
      out += new TextDecoder().decode(value);
      return out.includes("\n") ? out.split("\n")[0]!.trim() : undefined;
    }, { timeoutMs: 30_000, everyMs: 0 });
    reader.releaseLock();
    const kubeconfig = join(dataDir, "admin.kubeconfig");
    const creds = loadKubeconfig(kubeconfig);
    const client = new ApiClient({ baseUrl: creds.server, token: creds.token, caPem: creds.caPem });
    const nodeToken = readFileSync(join(dataDir, "node-token"), "utf8").trim();
    this.server = { ...p, url, dataDir, client, kubeconfig, nodeToken };
    return this.server;
  }

  /** Start (or restart, with the same data dir) an agent named `name` on loopback address `ip`. */
  startAgent(name: string, ip: string, extra: string[] = [], token = this.server!.nodeToken): AgentProc {
    const dataDir = join(this.dir, name);
    mkdirSync(dataDir, { recursive: true });
    const p = spawnSkiff(
      ["agent", "--server", this.server!.url, "--token", token, "--data-dir", dataDir, "--node-name", name, "--bind-address", ip, "--port", "0", ...extra],
      join(this.dir, `${name}.log`),
      "file",
    );
    const agent = { ...p, name, ip, dataDir };
    const i = this.agents.findIndex((a) => a.name === name);
    if (i >= 0) this.agents[i] = agent;
    else this.agents.push(agent);
    return agent;
  }

  /** Run the CLI to completion. */
  async cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const proc = Bun.spawn({ cmd: [...SKIFF, ...args, "--kubeconfig", this.server!.kubeconfig], stdio: ["ignore", "pipe", "pipe"] });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  }

  /** Start the CLI and leave it running (e.g. `logs -f`); killed at cleanup. */
  cliStream(args: string[]): Subprocess<"ignore", "pipe", "pipe"> {
    const proc = Bun.spawn({ cmd: [...SKIFF, ...args, "--kubeconfig", this.server!.kubeconfig], stdio: ["ignore", "pipe", "pipe"] });
    this.extraProcs.push(proc);
    return proc;
  }

  containers(agent: AgentProc): ContainerRecord[] {
    const dir = join(agent.dataDir, "containers");
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    } catch {
      return [];
    }
    return files.flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), "utf8")) as ContainerRecord];
      } catch {
        return [];
      }
    });
  }

  /** Kill the container processes an agent left: live leaders (pid + start time) and what remains in their groups. */
  killContainers(agent: AgentProc): void {
    for (const c of this.containers(agent)) {
      if (c.pid === undefined || c.pidStartTime === undefined) continue;
      if (!(!c.exit && isAlive(c.pid, c.pidStartTime)) && !groupAlive(c.pid)) continue;
      try {
        process.kill(-c.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }

  static killGroup(proc: Subprocess, signal: NodeJS.Signals = "SIGKILL"): void {
    try {
      process.kill(-proc.pid, signal);
    } catch {
      // gone
    }
  }

  async cleanup(): Promise<void> {
    for (const p of this.extraProcs) p.kill("SIGKILL");
    for (const a of this.agents) {
      Cluster.killGroup(a.proc);
      await a.proc.exited;
      this.killContainers(a);
    }
    if (this.server) {
      Cluster.killGroup(this.server.proc, "SIGTERM");
      const t = setTimeout(() => Cluster.killGroup(this.server!.proc), 5000);
      await this.server.proc.exited;
      clearTimeout(t);
    }
    if (!process.env.SKIFF_E2E_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}
