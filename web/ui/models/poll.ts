/** Repeats a load on an interval; the returned function stops it (the cleanup an effect returns). */

/**
 * Runs `tick` now and then `intervalMs` after each run finishes, so slow servers are never flooded.
 * While the tab is hidden the tick is skipped (a NAS should not work for a closed laptop lid).
 * `tick` must handle its own errors.
 */
export function poll(intervalMs: number, tick: () => Promise<void>): () => void {
  let isStopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = async () => {
    if (!document.hidden) await tick();
    if (!isStopped) timer = setTimeout(run, intervalMs);
  };
  const onVisible = () => {
    if (document.hidden || isStopped) return;
    clearTimeout(timer);
    run();
  };
  document.addEventListener("visibilitychange", onVisible);
  run();
  return () => {
    isStopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisible);
  };
}

/** The message of a caught value, for display. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
