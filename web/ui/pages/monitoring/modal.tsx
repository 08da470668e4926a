/**
 * A modal <dialog>: drawn above the page (the top layer), so opening it moves nothing and the page keeps its
 * scroll position. Escape, a click on the backdrop and the caller's buttons close it through `onClose`.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** Open while rendered; `labelledBy` is the id of its title. */
export function Modal(props: {
  labelledBy: string;
  onClose: () => void;
  testId: string;
  wide?: boolean;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // Removed from the page when unrendered, which ends it: no close() and so no second `close` event.
  useEffect(() => dialog.current!.showModal(), []);
  return (
    <dialog
      ref={dialog}
      class={props.wide ? "mon-dialog wide" : "mon-dialog"}
      aria-labelledby={props.labelledBy}
      data-testid={props.testId}
      onClose={props.onClose}
      // The dialog itself is the target only on its backdrop: its content sits in the inner box.
      onClick={(e) => e.target === dialog.current && props.onClose()}
    >
      <div class="mon-dialog-box">{props.children}</div>
    </dialog>
  );
}
