/**
 * Writes the names devices gave themselves in DHCP requests (capture/dhcp_names.ts) inside the ledger's flush
 * transaction, after the device rows, so the device each name belongs to exists. A captured name is stored
 * with the source "dhcp" and never replaces a name a user gave (issue 14 item 4: user > dhcp > ethers >
 * hosts); a newer DHCP name replaces an older one.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

const SET_DHCP_NAME_SQL = `
UPDATE devices SET name = ?1, name_source = 'dhcp'
WHERE key = ?2 AND id != 0 AND (name_source IS NULL OR name_source = 'dhcp') AND name IS NOT ?1`;

/** Prepared statement over one connection; call write() only inside a transaction. */
export class DeviceNameWriter {
  readonly #setName: StatementSync;

  constructor(db: DatabaseSync) {
    this.#setName = db.prepare(SET_DHCP_NAME_SQL);
  }

  /** Names the known devices among `names` (device key → name); returns the devices renamed. */
  write(names: ReadonlyMap<string, string>): number {
    let renamed = 0;
    for (const [deviceKey, name] of names) renamed += Number(this.#setName.run(name, deviceKey).changes);
    return renamed;
  }
}
