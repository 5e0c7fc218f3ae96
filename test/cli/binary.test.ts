// The compiled binary (as `bun run build` makes it: package.json's script) runs
// `skiff server` and the client verbs against it: catches what only shows up
// in the bundle (lazy verb loading, polyfills, JSON imports).
import { afterAll, beforeAll, expect, test, setDefaultTimeout } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSkiff } from "../support/build.ts";
import { waitFor } from "../support/wait.ts";

// A real server (and, for the CLI, subprocesses) on a machine others load too: more than bun's default 5 s.
setDefaultTimeout(60_000);

let dir: string;
let bin: string;
let server: ReturnType<typeof Bun.spawn> | undefined;
let kubeconfig: string;

async function run(args: string[], stdin?: string) {
  const proc = Bun.spawn([bin, ...args], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    stdin: stdin === undefined ? "ignore" : new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-bin-"));
  bin = await buildSkiff(join(dir, "skiff"));
  kubeconfig = join(dir, "data", "admin.kubeconfig");
  const proc = Bun.spawn([bin, "server", "--data-dir", join(dir, "data"), "--bind-address", "127.0.0.1", "--port", "0", "--disable-agent", "--disable-scheduler", "--controllers", ""], {
    stdout: "ignore",
    stderr: Bun.file(join(dir, "server.log")),
  });
  server = proc;
  await waitFor("the server to come up", async () => proc.exitCode !== null || (existsSync(kubeconfig) && (await run(["version"])).code === 0), { timeoutMs: 20_000, everyMs: 50 });
  if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
}, 60_000);

afterAll(async () => {
  if (server) {
    server.kill();
    await server.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

test("help lists the verbs", async () => {
  const r = await run(["--help"]);
  expect(r.code).toBe(0);
  for (const verb of ["get", "describe", "apply", "create", "delete", "label", "version", "server", "agent"]) expect(r.stdout).toContain(`skiff ${verb}`);
});

test("version, apply from stdin, get, delete through the binary", async () => {
  expect((await run(["version"])).stdout).toMatch(/^Client Version: v.*\nServer Version: v/);
  const manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bin-test}\ndata: {a: b}\n";
  expect((await run(["apply", "-f", "-"], manifest)).stdout).toBe("configmap/bin-test created\n");
  const got = await run(["get", "cm", "bin-test"]);
  expect(got.stdout).toMatch(/^NAME\s+DATA\s+AGE\nbin-test\s+1\s+\d+s\n$/);
  expect((await run(["delete", "cm", "bin-test"])).stdout).toBe('configmap "bin-test" deleted\n');
  const missing = await run(["get", "cm", "bin-test"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('Error from server (NotFound): configmaps "bin-test" not found\n');
});

test("kubectl accepts the admin kubeconfig the server wrote", async () => {
  if (!existsSync("/usr/bin/kubectl")) return;
  const proc = Bun.spawn(["/usr/bin/kubectl", "--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name"], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(code).toBe(0);
  expect(out).toContain("namespace/default");
});
