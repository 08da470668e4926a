/** The addresses netledger counts as this host (/api/debug/local_ips), asked once: the first-run hint reads them. */
import { createModel, effect, signal } from "@preact/signals";
import { getJson, type LocalIpsJson } from "../api.ts";
import { messageOf } from "./poll.ts";

/** Loads /api/debug/local_ips once; `localIps` is null until it answers. */
export const LocalIpsModel = createModel(() => {
  const localIps = signal<LocalIpsJson | null>(null);
  const error = signal<string | null>(null);
  effect(() => {
    let isStopped = false;
    getJson<LocalIpsJson>("/api/debug/local_ips").then(
      (json) => {
        if (!isStopped) localIps.value = json;
      },
      (e) => {
        if (!isStopped) error.value = messageOf(e);
      },
    );
    return () => {
      isStopped = true;
    };
  });
  return { localIps, error };
});
