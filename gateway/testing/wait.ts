/**
 * Waits until `check()` holds (it may be async, e.g. an HTTP request), checking every few milliseconds; fails
 * with `what` after `timeoutMs`. A condition wait, not a sleep: it returns as soon as the condition holds.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
