/**
 * Languages of the UI and the `translate()` lookup. English is bundled with the page, so a first paint in
 * English waits for nothing; every other language is its own chunk, loaded by loadMessages() when chosen
 * (models/prefs_model.ts shows a language only once its messages are here). To add a language: add its file
 * beside en.ts, typed `Messages`, and one entry to LANGUAGES whose `load` imports it.
 */
import { EN, type MessageKey, type Messages } from "./en.ts";

export type { MessageKey } from "./en.ts";

/** BCP 47 tag of a supported language. */
export type Lang = "en" | "zh-CN" | "ru";

/** Supported languages in menu order, each named in itself, with how to fetch its messages. */
export const LANGUAGES: readonly {
  readonly lang: Lang;
  readonly name: string;
  readonly load: () => Promise<Messages>;
}[] = [
  { lang: "en", name: "English", load: () => Promise.resolve(EN) },
  {
    lang: "zh-CN",
    name: "简体中文",
    load: async () => {
      const { ZH_CN } = await import("./zh_cn.ts");
      return ZH_CN;
    },
  },
  {
    lang: "ru",
    name: "Русский",
    load: async () => {
      const { RU } = await import("./ru.ts");
      return RU;
    },
  },
];

/** Messages of each language loaded so far; English always. */
const LOADED = new Map<Lang, Messages>([["en", EN]]);

/**
 * Loads the messages of `lang` (once; later calls resolve at once). Rejects when its chunk cannot be fetched,
 * e.g. a page left open across an upgrade whose old chunk names the server no longer has.
 */
export async function loadMessages(lang: Lang): Promise<void> {
  if (LOADED.has(lang)) return;
  const language = LANGUAGES.find((l) => l.lang === lang);
  if (!language) throw new Error(`No messages for the language "${lang}"`);
  LOADED.set(lang, await language.load());
}

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

/**
 * The string `key` in `lang`, with each `{name}` replaced by `values[name]`; in English while the messages of
 * `lang` are not loaded (see loadMessages()).
 */
export function translate(
  lang: Lang,
  key: MessageKey,
  values?: Readonly<Record<string, string | number>>,
): string {
  const messages = LOADED.get(lang) ?? EN;
  return fillPlaceholders(messages[key], values);
}

/** `text` with each `{name}` replaced by `values[name]` (a page's own messages use it too). */
export function fillPlaceholders(text: string, values?: Readonly<Record<string, string | number>>): string {
  if (!values) return text;
  return text.replace(
    PLACEHOLDER_REGEXP,
    (whole, name: string) => name in values ? String(values[name]) : whole,
  );
}
