import assert from "node:assert/strict";
import { LinkType } from "./link_type.ts";
import { type CaptureFileSummary, readCaptureFile, type ReadCaptureOptions } from "./pcap_reader.ts";
import { wholeSeconds } from "./pcap_records.ts";
import { buildFrame, extendFrame, ipPacket, snapFrame } from "../tests/helpers/frames.ts";
import { type CaptureRecord, pcapBytes, pcapngBytes } from "../tests/helpers/pcap_writer.ts";

interface Seen {
  readonly bytes: number[];
  readonly capturedLen: number;
  readonly originalLen: number;
  readonly linkType: number;
  readonly timestampSec: number;
}

async function readBytes(
  fileBytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Promise<{ seen: Seen[]; summary: CaptureFileSummary; path: string }> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, fileBytes);
    const seen: Seen[] = [];
    const summary = await readCaptureFile(
      path,
      (view, offset, capturedLen, originalLen, linkType, timestampSec) => {
        const bytes = [...new Uint8Array(view.buffer, view.byteOffset + offset, capturedLen)];
        seen.push({ bytes, capturedLen, originalLen, linkType, timestampSec });
      },
      options,
    );
    return { seen, summary, path };
  } finally {
    await Deno.remove(path);
  }
}

function expected(records: readonly CaptureRecord[]): Seen[] {
  return records.map(({ frame, timestampSec }) => ({
    bytes: [...frame.bytes],
    capturedLen: frame.bytes.length,
    originalLen: frame.originalLen,
    linkType: frame.linkType,
    timestampSec: Math.floor(timestampSec),
  }));
}

const T = 1_700_000_999; // the last second before a bucket boundary (1_700_001_000 = 1_888_890 × 900)
const ETHERNET_RECORDS: CaptureRecord[] = [
  {
    frame: buildFrame("ethernet", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", payloadBytes: 100 })),
    timestampSec: T,
  },
  {
    frame: buildFrame("vlan", ipPacket({ src: "2001:db8::1", dst: "2001:db8::2" })),
    timestampSec: T + 0.999_999,
  },
  {
    frame: snapFrame(
      buildFrame("qinq", ipPacket({ src: "10.0.0.1", dst: "192.0.2.1", payloadBytes: 1400 })),
      128,
    ),
    timestampSec: T + 1,
  },
];

for (const isBigEndian of [false, true]) {
  for (const isNanosecond of [false, true]) {
    Deno.test(`readCaptureFile() reads pcap (${isBigEndian ? "big" : "little"}-endian, ${isNanosecond ? "ns" : "µs"})`, async () => {
      const { seen, summary } = await readBytes(pcapBytes(ETHERNET_RECORDS, { isBigEndian, isNanosecond }));
      assert.deepEqual(seen, expected(ETHERNET_RECORDS));
      assert.equal(summary.format, "pcap");
      assert.equal(summary.frames, 3);
      assert.deepEqual(summary.linkTypes, [LinkType.ETHERNET]);
    });
  }
}

const MIXED_RECORDS: CaptureRecord[] = [
  ...ETHERNET_RECORDS,
  { frame: buildFrame("raw", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9" })), timestampSec: T + 2 },
  { frame: buildFrame("sll2", ipPacket({ src: "2001:db8::1", dst: "fd00::1" })), timestampSec: T + 3 },
  { frame: buildFrame("sll", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9" })), timestampSec: T + 901 },
];

for (const isBigEndian of [false, true]) {
  for (const tsResolution of [6, 9, 0x80 | 20]) {
    Deno.test(`readCaptureFile() reads pcapng with per-interface link types (${isBigEndian ? "BE" : "LE"}, if_tsresol ${tsResolution})`, async () => {
      const { seen, summary } = await readBytes(pcapngBytes(MIXED_RECORDS, { isBigEndian, tsResolution }));
      assert.deepEqual(seen, expected(MIXED_RECORDS));
      assert.equal(summary.format, "pcapng");
      assert.deepEqual(summary.linkTypes, [
        LinkType.ETHERNET,
        LinkType.RAW_IP,
        LinkType.LINUX_SLL2,
        LinkType.LINUX_SLL,
      ]);
    });
  }
}

Deno.test("readCaptureFile() applies if_tsoffset", async () => {
  const { seen } = await readBytes(pcapngBytes(ETHERNET_RECORDS, { tsOffsetSec: 1_600_000_000 }));
  assert.deepEqual(seen.map((s) => s.timestampSec), [T, T, T + 1]);
});

Deno.test("readCaptureFile() stamps simple packet blocks with the time of the packet before", async () => {
  const { seen } = await readBytes(pcapngBytes(ETHERNET_RECORDS, { useSimpleBlocks: true }));
  assert.deepEqual(seen.map((s) => s.timestampSec), [T, T, T]);
  assert.deepEqual(seen.map((s) => s.originalLen), ETHERNET_RECORDS.map((r) => r.frame.originalLen));
  assert.deepEqual(seen[2].capturedLen, 128);
});

Deno.test("readCaptureFile() reads across chunk boundaries and grows for records larger than a chunk", async () => {
  const records: CaptureRecord[] = [];
  for (let i = 0; i < 500; i++) {
    const frame = buildFrame(
      "ethernet",
      ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", payloadBytes: i * 7 }),
    );
    records.push({ frame: i === 250 ? extendFrame(frame, 20_000) : frame, timestampSec: T + i });
  }
  for (const bytes of [pcapBytes(records), pcapngBytes(records)]) {
    const progress: number[] = [];
    const { seen, summary } = await readBytes(bytes, {
      chunkBytes: 4096,
      onProgress: (read, total) => {
        progress.push(read / total);
      },
    });
    assert.deepEqual(seen, expected(records));
    assert.equal(summary.bytesRead, bytes.length);
    assert.ok(progress.length > 10);
    assert.equal(progress.at(-1), 1);
    assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]));
  }
});

Deno.test("readCaptureFile() keeps the frames before a truncation and names the file and offset", async () => {
  const bytes = pcapBytes(ETHERNET_RECORDS);
  const cut = bytes.length - 10;
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(path, bytes.subarray(0, cut));
    const seen: number[] = [];
    await assert.rejects(
      () => readCaptureFile(path, (_v, _o, capturedLen) => seen.push(capturedLen)),
      (e) => e instanceof SyntaxError && e.message.includes(path) && /byte offset \d+/.test(e.message),
    );
    assert.deepEqual(seen, [ETHERNET_RECORDS[0].frame.bytes.length, ETHERNET_RECORDS[1].frame.bytes.length]);
  } finally {
    await Deno.remove(path);
  }
});

/** [name, file bytes, text the SyntaxError must contain]. */
const BAD_FILES: readonly (readonly [string, Uint8Array, string])[] = [
  ["an empty file", new Uint8Array(0), "too short"],
  ["a text file", new TextEncoder().encode("hello, this is not a capture file"), "not a pcap or pcapng file"],
  [
    "a gzip file",
    new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]),
    "gzip",
  ],
  ["a pcap header cut short", pcapBytes([]).subarray(0, 20), "file ends inside a record"],
  [
    "a pcap record with an absurd length",
    withU32(pcapBytes(ETHERNET_RECORDS), 24 + 8, 0x7fffffff),
    "implausible",
  ],
  [
    "a pcapng block whose trailing length differs",
    withU32(pcapngBytes(ETHERNET_RECORDS), 28 + 16, 99),
    "length mismatch",
  ],
  [
    "a pcapng block length not a multiple of 4",
    withU32(pcapngBytes(ETHERNET_RECORDS), 4, 27),
    "invalid pcapng block length",
  ],
  [
    "a pcapng packet on an undeclared interface",
    withU32(pcapngBytes(ETHERNET_RECORDS), 28 + 20 + 8, 5),
    "undeclared interface 5",
  ],
];

for (const [name, bytes, text] of BAD_FILES) {
  Deno.test(`readCaptureFile() throws a SyntaxError for ${name}`, async () => {
    await assert.rejects(() => readBytes(bytes), (e) => e instanceof SyntaxError && e.message.includes(text));
  });
}

Deno.test("readCaptureFile() lets a missing file's NotFound through", async () => {
  await assert.rejects(() => readCaptureFile("/nonexistent/netledger.pcap", () => {}), Deno.errors.NotFound);
});

Deno.test("wholeSeconds() divides 64-bit timestamps exactly at second boundaries", () => {
  const cases: readonly (readonly [bigint, number])[] = [
    [1_700_001_000_000_000_000n, 1e9],
    [1_700_000_999_999_999_999n, 1e9],
    [1_700_001_000_000_000n, 1e6],
    [1_700_000_999_999_999n, 1e6],
    [(1_700_001_000n << 20n) - 1n, 2 ** 20],
    [1_700_001_000n * 10n ** 12n - 1n, 1e12],
  ];
  for (const [units, perSec] of cases) {
    const high = Number(units >> 32n);
    const low = Number(units & 0xffffffffn);
    assert.equal(wholeSeconds(high, low, perSec), Number(units / BigInt(perSec)), `${units} / ${perSec}`);
  }
});

function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}
