/**
 * QUIC Initial packet protection with WebCrypto: the client's keys from the Destination Connection ID
 * (RFC 9001 §5.2, RFC 9369 §3.3), the header protection mask (RFC 9001 §5.4.3) and AEAD opening
 * (RFC 9001 §5.3). The wire facts are in docs/services-wire.md "QUIC Initial".
 */
import { byteString } from "./byte_string.ts";

/** The Version field of QUIC version 1 (RFC 9000 §15) and version 2 (RFC 9369 §3.1). */
export const QUIC_V1 = 0x00000001;
export const QUIC_V2 = 0x6b3343cf;

/** The client's Initial keys: AEAD_AES_128_GCM key and IV, and the AES-128 header protection key. */
export interface InitialKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

interface VersionLabels {
  readonly salt: Uint8Array;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly hp: Uint8Array;
}

const SHA256_BYTES = 32;
const subtle = crypto.subtle;
const ZERO_IV = new Uint8Array(16);

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (pair) => parseInt(pair, 16));
}

/**
 * The HKDF-Expand info of TLS 1.3's HKDF-Expand-Label with an empty context (RFC 8446 §7.1): the output
 * length (2 bytes), the label "tls13 " + `label` with its length byte, and a zero context length.
 */
function expandLabelInfo(label: string, outputBytes: number): Uint8Array {
  const fullLabel = new TextEncoder().encode(`tls13 ${label}`);
  return Uint8Array.of(outputBytes >> 8, outputBytes & 0xff, fullLabel.length, ...fullLabel, 0);
}

const CLIENT_IN = expandLabelInfo("client in", SHA256_BYTES);

const LABELS: ReadonlyMap<number, VersionLabels> = new Map([
  [QUIC_V1, {
    salt: hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a"), // RFC 9001 §5.2
    key: expandLabelInfo("quic key", 16),
    iv: expandLabelInfo("quic iv", 12),
    hp: expandLabelInfo("quic hp", 16),
  }],
  [QUIC_V2, {
    salt: hex("0dede3def700a6db819381be6e269dcbf9bd2ed9"), // RFC 9369 §3.3.1
    key: expandLabelInfo("quicv2 key", 16),
    iv: expandLabelInfo("quicv2 iv", 12),
    hp: expandLabelInfo("quicv2 hp", 16),
  }],
]);

/**
 * The client's Initial keys for `dcid` (the Destination Connection ID of the client's first Initial) under
 * `version`, or null for another version. Rejects only when WebCrypto does.
 *
 * client_initial_secret is HKDF-Extract then HKDF-Expand-Label "client in", which WebCrypto's HKDF does in one
 * call. The keys are HKDF-Expand-Label of that secret alone (no extract step), which WebCrypto's HKDF cannot
 * do, so they are HKDF-Expand by hand (RFC 5869 §2.3): one HMAC block, since every output is ≤ 32 bytes.
 */
export async function clientInitialKeys(dcid: Uint8Array, version: number): Promise<InitialKeys | null> {
  const labels = LABELS.get(version);
  if (labels === undefined) return null;
  const ikm = await subtle.importKey("raw", dcid as BufferSource, "HKDF", false, ["deriveBits"]);
  const secret = await subtle.deriveBits(
    { name: "HKDF", hash: "SHA-256", salt: labels.salt as BufferSource, info: CLIENT_IN as BufferSource },
    ikm,
    SHA256_BYTES * 8,
  );
  const prk = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const [key, iv, hp] = await Promise.all([
    expandOneBlock(prk, labels.key),
    expandOneBlock(prk, labels.iv),
    expandOneBlock(prk, labels.hp),
  ]);
  return { key, iv, hp };
}

/** HKDF-Expand with L ≤ HashLen: T(1) = HMAC(PRK, info | 0x01), cut to L (read from the info's first 2 bytes). */
async function expandOneBlock(prk: CryptoKey, info: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(info.length + 1);
  input.set(info);
  input[info.length] = 1;
  const block = new Uint8Array(await subtle.sign("HMAC", prk, input));
  return block.subarray(0, (info[0] << 8) | info[1]);
}

/** A client's Initial keys imported into WebCrypto, ready for header protection and AEAD. */
export interface InitialCipher {
  readonly hpKey: CryptoKey;
  readonly aeadKey: CryptoKey;
  readonly iv: Uint8Array;
}

/**
 * Ciphers of the latest connections, by version and DCID. A client sends more than one Initial with the same
 * DCID (a ClientHello with a post-quantum key share fills two; lost ones are sent again), and the derivation
 * and imports are most of the WebCrypto calls of a packet. Oldest out first.
 */
const CIPHER_CACHE_ENTRIES = 64;
const cipherCache = new Map<string, Promise<InitialCipher | null>>();

/** The cipher of the client's Initials for `dcid` under `version` (null for another version), cached. */
export function initialCipher(dcid: Uint8Array, version: number): Promise<InitialCipher | null> {
  const id = `${version} ${byteString(dcid, 0, dcid.length)}`;
  let cipher = cipherCache.get(id);
  if (cipher === undefined) {
    if (cipherCache.size >= CIPHER_CACHE_ENTRIES) cipherCache.delete(cipherCache.keys().next().value!);
    cipher = importCipher(dcid.slice(), version);
    cipherCache.set(id, cipher);
  }
  return cipher;
}

async function importCipher(dcid: Uint8Array, version: number): Promise<InitialCipher | null> {
  const keys = await clientInitialKeys(dcid, version);
  if (keys === null) return null;
  const [hpKey, aeadKey] = await Promise.all([
    subtle.importKey("raw", keys.hp as BufferSource, "AES-CBC", false, ["encrypt"]),
    subtle.importKey("raw", keys.key as BufferSource, "AES-GCM", false, ["decrypt"]),
  ]);
  return { hpKey, aeadKey, iv: keys.iv };
}

/**
 * AES-128-ECB of the 16-byte `sample` under the header protection key (RFC 9001 §5.4.3). WebCrypto has no
 * ECB; CBC with a zero IV encrypts the first block exactly as ECB does (the padding block that follows is
 * dropped).
 */
export async function headerProtectionMask(hpKey: CryptoKey, sample: Uint8Array): Promise<Uint8Array> {
  const out = await subtle.encrypt({ name: "AES-CBC", iv: ZERO_IV }, hpKey, sample as BufferSource);
  return new Uint8Array(out, 0, 16);
}

/**
 * The plaintext of a packet payload under AEAD_AES_128_GCM (RFC 9001 §5.3): the nonce is the IV with the
 * packet number XORed into its last bytes, the header is the associated data. Rejects when the tag does not
 * verify.
 */
export async function openPayload(
  cipher: InitialCipher,
  packetNumber: number,
  header: Uint8Array,
  sealed: Uint8Array,
): Promise<Uint8Array> {
  const nonce = cipher.iv.slice();
  for (let i = 0; i < 4; i++) nonce[nonce.length - 1 - i] ^= (packetNumber >>> (8 * i)) & 0xff;
  const plain = await subtle.decrypt(
    { name: "AES-GCM", iv: nonce, additionalData: header as BufferSource },
    cipher.aeadKey,
    sealed as BufferSource,
  );
  return new Uint8Array(plain);
}
