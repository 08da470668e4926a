/**
 * How to capture on an interface: its ARPHRD hardware type (from /sys/class/net/IFACE/type) decides the
 * AF_PACKET socket type and the link type the parser is told.
 *
 * Ethernet-typed interfaces (NICs, veth, bridges such as br0, bonds, VLAN sub-interfaces) are captured with
 * SOCK_RAW so the parser sees the Ethernet header, in-frame VLAN tags (the inner tag of QinQ) and PPPoE
 * session headers. Every other type (ppp0/pppoe-wan, tun, WireGuard, IP tunnels, loopback) is captured with
 * SOCK_DGRAM: the kernel then starts every frame at the network header, so the parser sees raw IP whatever
 * pseudo-header the device would otherwise carry.
 */
import { ARPHRD_ETHER, readProcFile } from "../ffi/mod.ts";
import { LinkType } from "./link_type.ts";

/** The capture parameters of one interface. */
export interface LinkInfo {
  readonly iface: string;
  /** ARPHRD_* value from linux/if_arp.h. */
  readonly hardwareType: number;
  readonly socketType: "raw" | "dgram";
  /** LinkType code handed to TrafficPipeline.countFrame(). */
  readonly linkType: number;
}

/** The capture parameters for an interface of hardware type `hardwareType`. */
export function linkInfoFor(iface: string, hardwareType: number): LinkInfo {
  if (hardwareType === ARPHRD_ETHER) {
    return { iface, hardwareType, socketType: "raw", linkType: LinkType.ETHERNET };
  }
  return { iface, hardwareType, socketType: "dgram", linkType: LinkType.RAW_IP };
}

const IFACE_NAME_REGEXP = /^[^/\s]{1,15}$/;

/**
 * Reads the interface's hardware type from sysfs; null when no interface has that name (yet). Throws
 * SyntaxError when the name cannot be an interface name or sysfs holds something unexpected.
 */
export function readLinkInfo(iface: string, sysClassNet = "/sys/class/net"): LinkInfo | null {
  if (!IFACE_NAME_REGEXP.test(iface) || iface === "." || iface === "..") {
    throw new SyntaxError(
      `Cannot use interface name "${iface}": expected 1 to 15 characters without "/" or spaces`,
    );
  }
  let text: string;
  try {
    text = readProcFile(`${sysClassNet}/${iface}/type`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const hardwareType = Number(text.trim());
  if (!/^\d+$/.test(text.trim())) {
    throw new SyntaxError(
      `Cannot read the link type of "${iface}": ${sysClassNet}/${iface}/type holds "${text.trim()}"`,
    );
  }
  return linkInfoFor(iface, hardwareType);
}

/** linux/if.h IFF_UP: the administrative "up" flag in /sys/class/net/IFACE/flags. */
const IFF_UP = 0x1;

/** Whether the interface exists and is administratively up. */
export function isInterfaceUp(iface: string, sysClassNet = "/sys/class/net"): boolean {
  try {
    return (parseInt(readProcFile(`${sysClassNet}/${iface}/flags`).trim(), 16) & IFF_UP) !== 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
