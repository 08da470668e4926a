/**
 * packaging/: what turns the source into the shipped program and checks it when running: the `deno compile`
 * script and its permission flags, V8 flags and Worker entry modules, the systemd unit, and the
 * `--healthcheck` mode (Docker HEALTHCHECK).
 *
 * Import rule: packaging/ imports only config.ts and deno.json from netledger (the variable names, the
 * version). Others import it through this file: main.ts for the healthcheck, tests for the flags and Workers.
 */
export { runHealthcheck } from "./healthcheck.ts";
export { NAME_FILE_PATHS, permissionFlags } from "./permissions.ts";
export { V8_FLAGS, v8FlagsArg } from "./v8_flags.ts";
export { findWorkerModules, localModuleGraph, workerEntriesOf } from "./worker_modules.ts";
