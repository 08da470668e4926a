/**
 * names/: a person's word for a device from the files of the LAN (DHCP lease files, /etc/ethers,
 * /etc/hosts), read by pure parsers and kept as last good copies, and a MAC's maker from the IEEE registry
 * (a compact table generated from the IEEE registries by packaging/oui/build_oui_table.ts).
 *
 * Import rule: names/ imports nothing else from netledger. Other folders import it through this file.
 */
export { type FileNameOf, type NamedDevice, NameFiles } from "./name_files.ts";
export { vendorOf } from "./vendor_of.ts";
export { cleanName } from "./clean_name.ts";
