import assert from "node:assert/strict";
import { neighbourMacs } from "./client_devices.ts";

Deno.test("neighbourMacs re-reads the table only after 30 s and keeps the last good one when a read fails", () => {
  let nowMs = 1_000_000;
  let reads = 0;
  const answers: (() => { ip: string; mac: string }[])[] = [
    () => [{ ip: "192.168.1.30", mac: "00:11:22:33:44:55" }],
    () => {
      throw new Error("EPERM");
    },
    () => {
      throw new Error("EPERM");
    },
    () => [{ ip: "192.168.1.31", mac: "00:11:22:33:44:66" }],
  ];
  const logged: string[] = [];
  const table = neighbourMacs((line) => logged.push(line), () => answers[reads++](), () => nowMs);

  assert.deepEqual([...table()], [["192.168.1.30", "00:11:22:33:44:55"]]);
  nowMs += 29_999;
  table();
  assert.equal(reads, 1, "a fresh table is not read again");
  nowMs += 1;
  assert.deepEqual(
    [...table()],
    [["192.168.1.30", "00:11:22:33:44:55"]],
    "a failed read keeps the last table",
  );
  nowMs += 30_000;
  table();
  assert.equal(logged.length, 1, "logged once");
  assert.match(logged[0], /EPERM/);
  nowMs += 30_000;
  assert.deepEqual([...table()], [["192.168.1.31", "00:11:22:33:44:66"]]);
  assert.equal(reads, 4);
});
