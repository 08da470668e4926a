import assert from "node:assert/strict";
import { EN } from "./en.ts";
import { LANGUAGES, loadMessages, pickLang, translate } from "./i18n.ts";
import { RU } from "./ru.ts";

Deno.test("pickLang() takes the first supported browser language by primary subtag", () => {
  assert.equal(pickLang(["zh-TW", "en-US"]), "zh-CN");
  assert.equal(pickLang(["de-DE", "ru-RU", "en"]), "ru");
  assert.equal(pickLang(["de-DE", "fr"]), "en");
  assert.equal(pickLang([]), "en");
});

Deno.test("translate() speaks English until loadMessages() brought the language, then the language", async () => {
  assert.equal(translate("ru", "nav_dashboard"), EN.nav_dashboard);
  await loadMessages("ru");
  assert.equal(translate("ru", "nav_dashboard"), RU.nav_dashboard);
  assert.notEqual(RU.nav_dashboard, EN.nav_dashboard);
});

Deno.test("translate() fills placeholders and every language keeps them", async () => {
  assert.equal(
    translate("en", "range_chart", { start: "2026-01-01", end: "2026-01-31" }),
    "Traffic from 2026-01-01 to 2026-01-31",
  );
  for (const { lang, load } of LANGUAGES) {
    const messages = await load();
    for (const key of Object.keys(EN) as (keyof typeof EN)[]) {
      const wanted = [...EN[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const found = [...messages[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(found, wanted, `${lang} ${key}`);
    }
  }
});
