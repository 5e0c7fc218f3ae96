// Records the profiles `bun run build` lays the executable's bytecode out by
// (--bytecode-order): which functions a run of skiff entered, in order. With them
// the bytecode a server uses sits together at the front, so it touches (and keeps
// resident) fewer pages of it: ~1-1.5 MiB less VmRSS for a full server and an
// agent, measured (about none for `server --disable-agent`). A stale profile
// still applies to the functions that did not change; re-record after larger
// changes to what the server runs at start:
//
//   bun bench/record-bytecode-order.ts
//
// Profiles, most important first (a function lies where the first file listing it puts it):
//   build/bytecode-order/server.txt  a full server (embedded agent) from start, 5 s idle, to SIGTERM
//   build/bytecode-order/cli.txt     `skiff get nodes` against it
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSkiff } from "../test/support/build.ts";
import { waitFor } from "../test/support/wait.ts";

const root = join(import.meta.dir, "..");
const profileDir = join(root, "build", "bytecode-order");
const work = mkdtempSync(join(tmpdir(), "skiff-bytecode-order-"));

async function record(): Promise<void> {
  const bin = await buildSkiff(join(work, "skiff"));
  const data = join(work, "data");
  const kubeconfig = join(data, "admin.kubeconfig");
  const server = Bun.spawn([bin, "server", "--data-dir", data, "--port", "0", "--bind-address", "127.0.0.1"], {
    env: { ...process.env, BUN_BYTECODE_ORDER_OUT: join(work, "server.txt") },
    stdout: "ignore",
    stderr: Bun.file(join(work, "server.log")),
  });
  try {
    await waitFor("the server's admin kubeconfig", () => server.exitCode === null && existsSync(kubeconfig), { timeoutMs: 30_000, everyMs: 50 });
    // What the RSS readings cover: start-up, then idle for 5 s (bench/store.ts measures then).
    await Bun.sleep(5_000);
    const cli = Bun.spawnSync([bin, "get", "nodes"], { env: { ...process.env, KUBECONFIG: kubeconfig, BUN_BYTECODE_ORDER_OUT: join(work, "cli.txt") }, stdout: "pipe", stderr: "pipe" });
    if (cli.exitCode !== 0) throw new Error(`skiff get nodes failed: ${cli.stderr.toString()}`);
  } finally {
    server.kill("SIGTERM");
    await server.exited;
  }
  for (const name of ["server.txt", "cli.txt"]) {
    if (!existsSync(join(work, name))) throw new Error(`no profile written to ${name}`);
    copyFileSync(join(work, name), join(profileDir, name));
  }
  process.stdout.write(`wrote ${profileDir}/{server,cli}.txt\n`);
}

try {
  await record();
} finally {
  rmSync(work, { recursive: true, force: true });
}
