import assert from "node:assert/strict";
import { EN } from "../../i18n/en.ts";
import { PLANS_MESSAGES } from "./plans_messages.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("PLANS_MESSAGES: every language keeps the English placeholders and has its own words", () => {
  const en = PLANS_MESSAGES.en;
  for (const [lang, messages] of Object.entries(PLANS_MESSAGES)) {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(messages[key]), placeholders(en[key]), `${lang} ${key}`);
      if (lang !== "en") assert.notEqual(messages[key], en[key], `${lang} ${key} is the English text`);
    }
  }
});

Deno.test("PLANS_MESSAGES: no key shadows one of i18n/, so usePlansT() means one text per key", () => {
  assert.deepEqual(Object.keys(PLANS_MESSAGES.en).filter((key) => key in EN), []);
});
