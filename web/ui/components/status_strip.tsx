/** A strip under the header when the server or the capture is unhealthy, or the kernel dropped packets this hour. */
import { useApp, useT } from "../app_context.ts";

/** Capture states (capture/types.ts CaptureState) in which counting works. */
const HEALTHY_CAPTURE_STATES: ReadonlySet<string> = new Set(["starting", "capturing"]);

/** Renders nothing while all is well. */
export function StatusStrip() {
  const { health } = useApp();
  const t = useT();
  const problems: string[] = [];
  const error = health.error.value;
  const current = health.health.value;
  if (error) problems.push(t("status_unreachable", { message: error }));
  const capture = current?.capture;
  if (current?.problems && current.problems.length > 0) {
    problems.push(...current.problems);
  } else if (capture && !HEALTHY_CAPTURE_STATES.has(capture.state)) {
    problems.push(t("status_capture", { state: capture.state, message: capture.message ?? "" }));
  } else if (current && current.status !== "ok") {
    problems.push(t("status_server", { status: current.status }));
  }
  const drops = health.dropsThisHour.value;
  if (drops > 0) problems.push(t("status_drops", { count: drops }));
  if (problems.length === 0) return null;
  return (
    <div class="status-strip" role="alert" data-testid="status-strip">
      {problems.map((text) => <p key={text}>{text}</p>)}
    </div>
  );
}
