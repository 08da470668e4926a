/**
 * Child process of history_migrations_test.ts: opens (and so migrates) the database at Deno.args[0], printing
 * each migration log line as it comes, then `migrated`.
 */
import { openStore } from "./db.ts";

const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));
openStore(Deno.args[0], { log: say, timeZone: "Asia/Kolkata" }).close();
say("migrated");
