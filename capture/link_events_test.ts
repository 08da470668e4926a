import assert from "node:assert/strict";
import { LinkEvents, mentionsInterface } from "./link_events.ts";
import { RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK } from "../ffi/mod.ts";
import { concat } from "../tests/helpers/frames.ts";

/** One rtnetlink message: nlmsghdr, then the 16-byte ifinfomsg or 8-byte ifaddrmsg with `ifindex`. */
function message(type: number, ifindex: number, bodyBytes: number, padTo = 4): Uint8Array {
  const length = 16 + bodyBytes;
  const bytes = new Uint8Array(Math.ceil(length / padTo) * padTo);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, type, true);
  view.setInt32(16 + 4, ifindex, true);
  return bytes;
}

function messages(...parts: Uint8Array[]): DataView {
  return new DataView(concat(...parts).buffer);
}

Deno.test("mentionsInterface finds the ifindex in link and address messages, walking aligned messages", () => {
  const link = message(RTM_NEWLINK, 7, 16);
  const address = message(RTM_NEWADDR, 9, 8 + 2); // 26 bytes, padded to 28
  const view = messages(link, address);
  assert.equal(mentionsInterface(view, view.byteLength, 7), true);
  assert.equal(mentionsInterface(view, view.byteLength, 9), true, "second message, after alignment");
  assert.equal(mentionsInterface(view, view.byteLength, 8), false);
  const deleted = messages(message(RTM_DELADDR, 3, 8));
  assert.equal(mentionsInterface(deleted, deleted.byteLength, 3), true);
});

Deno.test("mentionsInterface ignores other types and stops at truncated or bogus lengths", () => {
  const rtmNewRoute = 24; // linux/rtnetlink.h: a route, neither a link nor an address
  const other = messages(message(rtmNewRoute, 5, 12));
  assert.equal(mentionsInterface(other, other.byteLength, 5), false);
  const view = messages(message(RTM_NEWLINK, 5, 16));
  assert.equal(mentionsInterface(view, view.byteLength - 4, 5), false, "message longer than the read");
  view.setUint32(0, 3, true);
  assert.equal(mentionsInterface(view, view.byteLength, 5), false, "length below the header");
});

Deno.test("LinkEvents opens, has nothing pending at first, and closes", () => {
  const events = LinkEvents.open();
  try {
    assert.ok(events.fd >= 0);
    assert.equal(events.drain(1), false);
  } finally {
    events.close();
  }
});
