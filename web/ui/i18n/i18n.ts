/**
 * Languages of the UI and the `translate()` lookup. To add a language: add its file beside en.ts, typed
 * `Messages`, and one entry to LANGUAGES.
 */
import { EN, type MessageKey, type Messages } from "./en.ts";
import { RU } from "./ru.ts";
import { ZH_CN } from "./zh_cn.ts";

export type { MessageKey } from "./en.ts";

/** BCP 47 tag of a supported language. */
export type Lang = "en" | "zh-CN" | "ru";

/** Supported languages in menu order, each named in itself. */
export const LANGUAGES: readonly {
  readonly lang: Lang;
  readonly name: string;
  readonly messages: Messages;
}[] = [
  { lang: "en", name: "English", messages: EN },
  { lang: "zh-CN", name: "简体中文", messages: ZH_CN },
  { lang: "ru", name: "Русский", messages: RU },
];

/** Whether `text` names a supported language exactly. */
export function isLang(text: unknown): text is Lang {
  return LANGUAGES.some((l) => l.lang === text);
}

/** The first supported language among the browser's preferences (by primary subtag), else English. */
export function pickLang(preferred: readonly string[]): Lang {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "zh") return "zh-CN";
    if (primary === "ru") return "ru";
    if (primary === "en") return "en";
  }
  return "en";
}

const PLACEHOLDER_REGEXP = /\{(\w+)\}/g;

/** The string `key` in `lang`, with each `{name}` replaced by `values[name]`. */
export function translate(
  lang: Lang,
  key: MessageKey,
  values?: Readonly<Record<string, string | number>>,
): string {
  const messages = LANGUAGES.find((l) => l.lang === lang)?.messages ?? EN;
  const text = messages[key];
  if (!values) return text;
  return text.replace(
    PLACEHOLDER_REGEXP,
    (whole, name: string) => name in values ? String(values[name]) : whole,
  );
}
