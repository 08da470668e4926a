/** The client-side route: the path part of `location.hash` ("#/monitoring" → "/monitoring"). */
import { createModel, effect, signal } from "@preact/signals";

/** Path of a hash such as "#/monitoring?x=1" → "/monitoring"; empty or "#" → "/". */
export function hashPath(hash: string): string {
  const path = hash.replace(/^#/, "").split("?")[0];
  return path.startsWith("/") ? path : "/";
}

/** Follows hashchange. */
export const RouteModel = createModel(() => {
  const path = signal(hashPath(location.hash));
  effect(() => {
    const onChange = () => path.value = hashPath(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  });
  return { path };
});
