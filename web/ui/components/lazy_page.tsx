/**
 * Pages (and parts of pages, such as the dashboard's plan cards) loaded on first visit: each is its own chunk
 * (web/build.ts), so the first load of the dashboard does not carry it. A route declares one with `lazyPage(async () => { const { XPage } = await import("…"); return
 * XPage; })`, the import a string literal so the module graph sees it (docs/development.md "Module
 * boundaries").
 */
import { signal } from "@preact/signals";
import type { ComponentType } from "preact";
import { useEffect } from "preact/hooks";
import { useT } from "../app_context.ts";
import { messageOf } from "../models/poll.ts";

/**
 * A component that fetches the page `load` resolves to when first shown, shows a loading line until then, and
 * the page afterwards. A failed fetch (e.g. a page left open across an upgrade asks for chunk names the server
 * no longer has) is stated, and the next visit tries again.
 */
export function lazyPage<P extends object = Record<string, never>>(
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  const page = signal<ComponentType<P> | null>(null);
  const error = signal<string | null>(null);
  let isFetching = false;
  const fetchPage = async () => {
    isFetching = true;
    error.value = null;
    try {
      page.value = await load();
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      isFetching = false;
    }
  };
  return function LazyPage(props: P) {
    const t = useT();
    useEffect(() => {
      if (page.peek() === null && !isFetching) fetchPage();
    }, []);
    const Page = page.value;
    if (Page) return <Page {...props} />;
    if (error.value !== null) {
      return (
        <p class="banner" role="alert" data-testid="page-load-failed">
          {t("load_failed", { message: error.value })}
        </p>
      );
    }
    return <p class="muted" role="status" data-testid="page-loading">{t("loading")}</p>;
  };
}
