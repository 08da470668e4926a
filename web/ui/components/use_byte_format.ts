/**
 * Bytes as the person reads them: the units setting (SI "GB" or IEC "GiB", prefs_model.ts) in the page's
 * language, its digits and unit names ("15,60 ГБ"). Every byte count on screen goes through here.
 */
import { useMemo } from "preact/hooks";
import { type ByteFormat, formatBytes, formatExactBytes, formatRate } from "../../format_bytes.ts";
import { useApp } from "../app_context.ts";
import { type Lang, translate } from "../i18n/i18n.ts";
import type { ByteBase } from "../models/prefs_model.ts";

/** Formatters bound to one ByteFormat. */
export interface ByteFormatter {
  readonly format: ByteFormat;
  /** "15.60 GB", "512 B", "0 B". */
  bytes(bytes: number): string;
  /** "1.50 MB/s". */
  rate(bytesPerSec: number): string;
  /** "1,320,702,443 B": every byte, for hover text. */
  exact(bytes: number): string;
}

/** The ByteFormat of `lang` with units of `base`, unit names from the language's messages. */
export function byteFormatFor(lang: Lang, base: ByteBase): ByteFormat {
  return {
    base,
    locale: lang,
    units: translate(lang, base === 1000 ? "unit_names_si" : "unit_names_iec").split(" "),
    perSecond: translate(lang, "per_second"),
  };
}

/** Formatters for the current language and units setting; components re-render when either changes. */
export function useByteFormat(): ByteFormatter {
  const { prefs } = useApp();
  const lang = prefs.lang.value;
  const base = prefs.byteBase.value;
  return useMemo(() => {
    const format = byteFormatFor(lang, base);
    return {
      format,
      bytes: (bytes) => formatBytes(bytes, format),
      rate: (bytesPerSec) => formatRate(bytesPerSec, format),
      exact: (bytes) => formatExactBytes(bytes, lang, format.units![0]),
    };
  }, [lang, base]);
}
