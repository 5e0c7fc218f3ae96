// The binary as it ships, for tests and benchmarks: package.json's `build`
// script (bytecode, its order profiles, minification) run as it is, only with
// the output somewhere else, since dist/skiff may be in use. What is measured
// or tested is then what `bun run build` gives users.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const repo = join(import.meta.dir, "..", "..");

/** Builds the skiff executable at `out`; throws with the compiler's output when the build fails. */
export async function buildSkiff(out: string): Promise<string> {
  const script = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: { build: string } }).scripts.build;
  const argv = script.split(/\s+/).map((a) => (a === "dist/skiff" ? out : a));
  if (argv[0] !== "bun" || argv[1] !== "build" || !argv.includes(out)) throw new Error(`unexpected build script: ${script}`);
  const build = Bun.spawn([process.execPath, ...argv.slice(1)], { cwd: repo, stdout: "ignore", stderr: "pipe" });
  const [code, err] = await Promise.all([build.exited, new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`build failed: ${err.slice(0, 2000)}`);
  return out;
}
