/** The person's display preferences: language, theme and byte units, remembered in localStorage. */
import { action, computed, createModel, effect, signal } from "@preact/signals";
import { isLang, type Lang, loadMessages, pickLang } from "../i18n/i18n.ts";

/** Theme the person picked; "system" follows prefers-color-scheme. */
export type ThemeChoice = "system" | "light" | "dark";

/**
 * Base of the byte units on screen: 1000 (SI: kB, MB, GB, as ISPs bill, the default) or 1024 (IEC: KiB,
 * MiB, GiB). The API's `*_fmt` text keeps its own 1024-based "GB" for the replaced tool's scripts.
 */
export type ByteBase = 1000 | 1024;

const THEME_CHOICES: readonly ThemeChoice[] = ["system", "light", "dark"];
const LANG_KEY = "netledger.lang";
const THEME_KEY = "netledger.theme";
const UNITS_KEY = "netledger.units";

function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    // Storage can be disabled (private mode, policy): then preferences last for this page only.
    return null;
  }
}

function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // See readStored: nothing to remember it in, the choice still applies now.
  }
}

/**
 * Language, theme and byte units; applies the first two to <html lang> and <html data-theme>. `lang` is the
 * language on screen: a chosen language other than English becomes `lang` only once its messages have
 * loaded (i18n.ts), so no text ever shows as a bare key; until then, and if they cannot load, the page stays
 * in the language it shows.
 */
export const PrefsModel = createModel(() => {
  const storedLang = readStored(LANG_KEY);
  const lang = signal<Lang>("en");
  let latestChoice: Lang = "en";
  /** Shows `next` once its messages are here, unless another language was chosen meanwhile. */
  const showLang = async (next: Lang): Promise<boolean> => {
    latestChoice = next;
    try {
      await loadMessages(next);
    } catch (e) {
      console.error(`Cannot load the messages of "${next}"; the page stays in "${lang.value}"`, e);
      return false;
    }
    if (latestChoice !== next) return false;
    lang.value = next;
    return true;
  };
  const startLang = isLang(storedLang) ? storedLang : pickLang(navigator.languages ?? [navigator.language]);
  // English is in the entry chunk: nothing to wait for.
  const isStartLangSettled = signal(startLang === "en");
  if (!isStartLangSettled.value) {
    showLang(startLang).then(() => {
      isStartLangSettled.value = true;
    });
  }
  const storedTheme = readStored(THEME_KEY) as ThemeChoice | null;
  const themeChoice = signal<ThemeChoice>(
    storedTheme && THEME_CHOICES.includes(storedTheme) ? storedTheme : "system",
  );
  const byteBase = signal<ByteBase>(readStored(UNITS_KEY) === "iec" ? 1024 : 1000);
  const darkQuery = matchMedia("(prefers-color-scheme: dark)");
  const isSystemDark = signal(darkQuery.matches);
  const theme = computed<"light" | "dark">(() =>
    themeChoice.value === "system" ? (isSystemDark.value ? "dark" : "light") : themeChoice.value
  );

  effect(() => {
    const onChange = () => isSystemDark.value = darkQuery.matches;
    darkQuery.addEventListener("change", onChange);
    return () => darkQuery.removeEventListener("change", onChange);
  });
  effect(() => {
    document.documentElement.lang = lang.value;
  });
  effect(() => {
    document.documentElement.dataset.theme = theme.value;
  });

  return {
    lang,
    themeChoice,
    theme,
    byteBase,
    /** False until the language wanted at start (stored, else the browser's) is shown or failed to load. */
    isLangSettled: computed(() => isStartLangSettled.value),
    /** Switches to `next` once its messages are here, and remembers it then. */
    setLang: async (next: Lang): Promise<void> => {
      if (await showLang(next)) writeStored(LANG_KEY, next);
    },
    setByteBase: action((next: ByteBase) => {
      byteBase.value = next;
      writeStored(UNITS_KEY, next === 1024 ? "iec" : "si");
    }),
    /** Cycles system → light → dark → system. */
    cycleTheme: action(() => {
      const next = THEME_CHOICES[(THEME_CHOICES.indexOf(themeChoice.value) + 1) % THEME_CHOICES.length];
      themeChoice.value = next;
      writeStored(THEME_KEY, next);
    }),
  };
});

/** An instance of PrefsModel. */
export type Prefs = InstanceType<typeof PrefsModel>;
