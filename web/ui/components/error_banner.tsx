/**
 * A failed request, said in the page's language above what is still shown, with the server's or browser's
 * own words (English) as a detail to open (issue 13: a banner, not a grid item, in the user's language).
 */
import type { ComponentChildren } from "preact";
import { useT } from "../app_context.ts";

/** `children` is the sentence; `detail` the error message behind it. */
export function ErrorBanner(props: { detail: string; testId?: string; children: ComponentChildren }) {
  const t = useT();
  return (
    <div class="banner" role="alert" data-testid={props.testId}>
      <span>{props.children}</span>{" "}
      <details>
        <summary>{t("status_details")}</summary>
        <code>{props.detail}</code>
      </details>
    </div>
  );
}
