import assert from "node:assert/strict";
import { EN } from "../../i18n/en.ts";
import { SERVICES_MESSAGES } from "./services_messages.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

Deno.test("SERVICES_MESSAGES: every language keeps the English placeholders and has its own words", () => {
  const en = SERVICES_MESSAGES.en;
  for (const [lang, messages] of Object.entries(SERVICES_MESSAGES)) {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.deepEqual(placeholders(messages[key]), placeholders(en[key]), `${lang} ${key}`);
      if (lang !== "en") assert.notEqual(messages[key], en[key], `${lang} ${key} is the English text`);
    }
  }
});

Deno.test("SERVICES_MESSAGES: no key shadows one of i18n/, so useServicesT() means one text per key", () => {
  assert.deepEqual(Object.keys(SERVICES_MESSAGES.en).filter((key) => key in EN), []);
});
