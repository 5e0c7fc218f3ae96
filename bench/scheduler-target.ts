// The server a scheduler benchmark case runs against: `skiff server` in its
// own process on a free loopback port with a fresh data dir (preferred: the
// benchmark's own load does not share the server's thread), or startServer
// in this process (--in-process, or when the CLI has no `server` verb).
// Controllers and the agent are off: hollow nodes have no kubelet, and only
// the scheduler is measured.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "../src/client/client.ts";
import { ApiClient } from "../src/client/api-client.ts";
import { loadKubeconfig } from "../src/client/kubeconfig.ts";
import { startServer } from "../src/server/server.ts";

export interface Target {
  client: Client;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dir, "..");

async function cliHasServerVerb(): Promise<boolean> {
  const p = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "server", "--help"], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  return (await p.exited) === 0 && out.includes("--data-dir");
}

async function inProcess(dataDir: string): Promise<Target> {
  const server = await startServer({ dataDir, bindAddress: "127.0.0.1", port: 0, disableAgent: true, controllers: [] });
  return {
    client: server.client,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** First line of the server's stdout: its URL (it prints it once it listens). */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    const nl = text.indexOf("\n");
    if (nl >= 0) return text.slice(0, nl).trim();
  }
  return text.trim();
}

async function ownProcess(dataDir: string): Promise<Target> {
  const proc = Bun.spawn(
    [process.execPath, join(ROOT, "src/main.ts"), "server", "--data-dir", dataDir, "--bind-address", "127.0.0.1", "--port", "0", "--disable-agent", "--controllers", ""],
    { stdout: "pipe", stderr: "inherit", detached: true, env: { ...process.env, SKIFF_LOG_LEVEL: "warn" } },
  );
  const stop = async () => {
    try {
      process.kill(-proc.pid, "SIGTERM");
    } catch {}
    await proc.exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const timeout = setTimeout(() => void stop(), 30_000);
  const url = await firstLine(proc.stdout);
  clearTimeout(timeout);
  if (!url.startsWith("https://")) {
    await stop();
    throw new Error(`skiff server did not start (stdout: ${JSON.stringify(url)})`);
  }
  const creds = loadKubeconfig(join(dataDir, "admin.kubeconfig"));
  const client = new ApiClient({ baseUrl: url, token: creds.token, caPem: creds.caPem });
  const deadline = Date.now() + 30_000;
  while (!(await client.request("GET", "/readyz").then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error("skiff server did not become ready in 30 s");
    }
    await Bun.sleep(50);
  }
  return { client, stop };
}

export async function startTarget(opts: { inProcess?: boolean }): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), "skiff-bench-sched-"));
  if (!opts.inProcess && (await cliHasServerVerb())) return ownProcess(dataDir);
  return inProcess(dataDir);
}
