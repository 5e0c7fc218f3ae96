// The one way tests (and benchmarks) wait for something: poll a condition
// until a deadline instead of sleeping a fixed time.

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll interval (default 20 ms). */
  everyMs?: number;
}

/**
 * Poll `check` until it returns something other than undefined, null or false,
 * and return that. A throwing check counts as "not yet"; its last error is in
 * the timeout message, so a test that times out says why.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 20 } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? "" : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${why}`);
    }
    await Bun.sleep(everyMs);
  }
}
