import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handleLogRequest, startLogServer } from "../../src/agent/log-server.ts";
import { followLog, LogClock, readLog, rotateIfNeeded } from "../../src/agent/logs.ts";
import { createCA, issueCertificate } from "../../src/server/pki.ts";
import { waitFor } from "../support/wait.ts";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-logs-"));
  path = join(dir, "0.log");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("log files", () => {
  test("tail, rotation by copy-and-truncate, rotated lines first", () => {
    writeFileSync(path, "a\nb\nc\n");
    expect(readLog(path, { tailLines: 2 }).text).toBe("b\nc\n");
    expect(readLog(path, { tailLines: 0 }).text).toBe("");
    expect(rotateIfNeeded(path, { maxBytes: 100, maxFiles: 1 })).toBe(false);
    expect(rotateIfNeeded(path, { maxBytes: 2, maxFiles: 1 })).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("");
    expect(readFileSync(`${path}.1`, "utf8")).toBe("a\nb\nc\n");
    appendFileSync(path, "d\n");
    expect(readLog(path, {}).text).toBe("a\nb\nc\nd\n");
    expect(readLog(path, { tailLines: 2 }).text).toBe("c\nd\n");
  });

  test("timestamps come from the clock's checkpoints", () => {
    const clock = new LogClock();
    writeFileSync(path, "one\n");
    clock.observe(path, new Date("2026-01-01T00:00:01Z"));
    appendFileSync(path, "two\n");
    clock.observe(path, new Date("2026-01-01T00:00:02Z"));
    expect(readLog(path, { timestamps: true }, clock).text).toBe("2026-01-01T00:00:01.000Z one\n2026-01-01T00:00:02.000Z two\n");
  });

  test("sinceMs and limitBytes", () => {
    const clock = new LogClock();
    writeFileSync(`${path}.1`, "rotated\n");
    writeFileSync(path, "old\n");
    clock.observe(path, new Date("2026-01-01T00:00:00Z"));
    appendFileSync(path, "new\n");
    clock.observe(path, new Date("2026-01-01T01:00:00Z"));
    expect(readLog(path, { sinceMs: Date.parse("2026-01-01T00:30:00Z") }, clock).text).toBe("new\n");
    expect(readLog(path, { limitBytes: 10 }, clock).text).toBe("rotated\nol");
  });

  test("follow streams new lines and ends when the container is done", async () => {
    writeFileSync(path, "first\n");
    let done = false;
    const stream = followLog(path, { done: () => done, pollMs: 10 });
    let got = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) got += decoder.decode(chunk, { stream: true });
      return got;
    })();
    await waitFor("the first line", () => got === "first\n");
    appendFileSync(path, "second\nthird (no newline)");
    // The complete line streams as soon as a poll sees it; the partial one waits for the end.
    await waitFor("the appended line", () => got === "first\nsecond\n");
    done = true;
    expect(await reading).toBe("first\nsecond\nthird (no newline)");
  });
});

describe("log endpoint", () => {
  const opts = (p: string) => ({
    token: "node-secret",
    resolve: (ns: string, pod: string, container: string | undefined, previous: boolean) =>
      ns === "default" && pod === "web" && container === "app" && !previous ? { path: p, done: () => true } : `container ${container} of pod ${ns}/${pod} not found`,
  });
  const get = (url: string, token?: string) => new Request(`https://node${url}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

  test("needs the node's token", async () => {
    writeFileSync(path, "hello\n");
    expect(handleLogRequest(get("/containerLogs/default/web/app"), opts(path)).status).toBe(401);
    expect(handleLogRequest(get("/containerLogs/default/web/app", "wrong"), opts(path)).status).toBe(401);
    const ok = handleLogRequest(get("/containerLogs/default/web/app?tailLines=1", "node-secret"), opts(path));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("hello\n");
    const missing = handleLogRequest(get("/containerLogs/default/web/nope", "node-secret"), opts(path));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { kind: string }).kind).toBe("Status");
    expect(handleLogRequest(get("/containerLogs/default/web/app?tailLines=-3", "node-secret"), opts(path)).status).toBe(400);
  });

  test("serves over TLS with the given certificate", async () => {
    writeFileSync(path, "over tls\n");
    const ca = await createCA();
    const cert = await issueCertificate(ca, "node", ["127.0.0.1"]);
    const server = startLogServer({ hostname: "127.0.0.1", port: 0, certPem: cert.certPem, keyPem: cert.keyPem, ...opts(path) });
    try {
      const res = await fetch(`https://127.0.0.1:${server.port}/containerLogs/default/web/app`, { headers: { Authorization: "Bearer node-secret" }, tls: { ca: ca.certPem } });
      expect(await res.text()).toBe("over tls\n");
    } finally {
      server.stop();
    }
    expect(existsSync(path)).toBe(true);
  });
});
