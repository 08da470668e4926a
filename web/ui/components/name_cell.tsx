/**
 * The one editable name cell of the Devices page and the Monitoring page's clients table (issue 14 item 5):
 * the name, or a muted "unnamed", as a button that turns into its editor on click or Enter. Enter or leaving
 * the editor saves, Escape cancels. Names are text (Preact escapes them), at most 64 characters.
 */
import { useRef, useState } from "preact/hooks";

/** Longest name the editor accepts, as the server stores (names/clean_name.ts MAX_NAME_CHARS). */
const MAX_NAME_CHARS = 64;

/** What one NameCell shows and does. */
export interface NameCellProps {
  readonly name: string | null;
  /** Shown, muted, without a name. */
  readonly unnamedText: string;
  /** The button's and the editor's accessible name ("Rename 192.168.1.10"). */
  readonly label: string;
  readonly placeholder: string;
  /** The button's test id; the editor's is `<testId>-input`. */
  readonly testId: string;
  /** The cell's class (the card title on phones) and its column's name on a phone card. */
  readonly class: string;
  readonly dataLabel?: string;
  /** False shows the name without the editor (a device not saved yet has no id to name). */
  readonly isEditable?: boolean;
  readonly title?: string;
  onSave(name: string): Promise<void>;
}

/** A table cell holding a name and its in-place editor. */
export function NameCell(props: NameCellProps) {
  const [draft, setDraft] = useState<string | null>(null);
  // Enter saves and removes the editor, whose blur must not save again (a poll may re-render in between).
  const isDone = useRef(false);
  const shown = props.name ?? <span class="muted">{props.unnamedText}</span>;
  if (props.isEditable === false) {
    return (
      <td class={props.class} data-label={props.dataLabel} title={props.title} data-testid={props.testId}>
        {shown}
      </td>
    );
  }
  if (draft === null) {
    return (
      <td class={props.class} data-label={props.dataLabel}>
        <button
          type="button"
          class="name-edit"
          data-testid={props.testId}
          aria-label={props.label}
          onClick={() => {
            isDone.current = false;
            setDraft(props.name ?? "");
          }}
        >
          {shown}
          <span class="name-pencil" aria-hidden="true">✎</span>
        </button>
      </td>
    );
  }
  const finish = async (save: boolean) => {
    if (isDone.current) return;
    isDone.current = true;
    if (save && draft.trim() !== (props.name ?? "")) await props.onSave(draft);
    setDraft(null);
  };
  return (
    <td class={props.class} data-label={props.dataLabel}>
      <input
        class="name-input"
        value={draft}
        maxLength={MAX_NAME_CHARS}
        placeholder={props.placeholder}
        aria-label={props.label}
        data-testid={`${props.testId}-input`}
        ref={(input) => input?.focus()}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") finish(true);
          if (e.key === "Escape") finish(false);
        }}
        onBlur={() => finish(true)}
      />
    </td>
  );
}
