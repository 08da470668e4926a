import assert from "node:assert/strict";
import { EN } from "./en.ts";
import { LANGUAGES, pickLang, translate } from "./i18n.ts";

Deno.test("pickLang() takes the first supported browser language by primary subtag", () => {
  assert.equal(pickLang(["zh-TW", "en-US"]), "zh-CN");
  assert.equal(pickLang(["de-DE", "ru-RU", "en"]), "ru");
  assert.equal(pickLang(["de-DE", "fr"]), "en");
  assert.equal(pickLang([]), "en");
});

Deno.test("translate() fills placeholders and every language keeps them", () => {
  assert.equal(
    translate("en", "range_chart", { start: "2026-01-01", end: "2026-01-31" }),
    "Traffic from 2026-01-01 to 2026-01-31",
  );
  for (const { lang, messages } of LANGUAGES) {
    for (const key of Object.keys(EN) as (keyof typeof EN)[]) {
      const wanted = [...EN[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const found = [...messages[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(found, wanted, `${lang} ${key}`);
    }
  }
});
