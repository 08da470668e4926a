/**
 * The per-device remote rows of one drain (issue 14 item 3), made to add up exactly to the device rows of
 * the same drain: per (bucket, device), its remote rows plus an OTHER_REMOTE_IP remainder row equal its
 * DeviceTraffic row. The remote table and the device table are bounded separately, so they can disagree:
 * rows of a device the device table did not keep (a MAC flood, a group MAC) go to OTHER_DEVICE_KEY, and a
 * device whose remote rows would exceed its total (the device table dropped some of its packets) keeps
 * only the remainder for that bucket. Exact in every case; detailed in every ordinary one.
 */
import { type DeviceRemoteTraffic, type DeviceTraffic, OTHER_DEVICE_KEY, OTHER_REMOTE_IP } from "./types.ts";

interface Sums {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

/** `rows` (per bucket, device key, remote; "" = no device) reconciled with the drain's `devices`. */
export function deviceRemotesOf(
  rows: readonly DeviceRemoteTraffic[],
  devices: readonly DeviceTraffic[],
): DeviceRemoteTraffic[] {
  const totals = new Map(devices.map((d) => [`${d.bucketStartSec} ${d.deviceKey}`, d]));
  const groups = new Map<string, Map<string, DeviceRemoteTraffic>>();
  for (const row of rows) {
    const deviceKey = totals.has(`${row.bucketStartSec} ${row.deviceKey}`) ? row.deviceKey : OTHER_DEVICE_KEY;
    const groupKey = `${row.bucketStartSec} ${deviceKey}`;
    const group = groups.get(groupKey) ?? new Map<string, DeviceRemoteTraffic>();
    groups.set(groupKey, group);
    const seen = group.get(row.remoteIp);
    group.set(row.remoteIp, seen === undefined ? { ...row, deviceKey } : { ...seen, ...addSums(seen, row) });
  }
  const result: DeviceRemoteTraffic[] = [];
  for (const [key, total] of totals) {
    const group = [...(groups.get(key)?.values() ?? [])];
    const left: Sums = { ...pick(total) };
    for (const r of group) subtract(left, r);
    const fits = left.upBytes >= 0 && left.downBytes >= 0 && left.upPackets >= 0 && left.downPackets >= 0;
    if (fits) result.push(...group.filter((r) => r.remoteIp !== OTHER_REMOTE_IP));
    const remainder = fits
      ? addSums(left, group.find((r) => r.remoteIp === OTHER_REMOTE_IP) ?? zero())
      : pick(total);
    if (remainder.upPackets + remainder.downPackets + remainder.upBytes + remainder.downBytes > 0) {
      result.push({
        bucketStartSec: total.bucketStartSec,
        deviceKey: total.deviceKey,
        remoteIp: OTHER_REMOTE_IP,
        ...remainder,
      });
    }
  }
  return result;
}

function pick(s: Sums): Sums {
  return { upBytes: s.upBytes, downBytes: s.downBytes, upPackets: s.upPackets, downPackets: s.downPackets };
}

function zero(): Sums {
  return { upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 };
}

function addSums(a: Sums, b: Sums): Sums {
  return {
    upBytes: a.upBytes + b.upBytes,
    downBytes: a.downBytes + b.downBytes,
    upPackets: a.upPackets + b.upPackets,
    downPackets: a.downPackets + b.downPackets,
  };
}

function subtract(into: Sums, row: Sums): void {
  into.upBytes -= row.upBytes;
  into.downBytes -= row.downBytes;
  into.upPackets -= row.upPackets;
  into.downPackets -= row.downPackets;
}
