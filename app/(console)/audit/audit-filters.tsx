import Form from "next/form";
import Link from "next/link";
import { Button, buttonClasses } from "@/components/ui/button";
import { FormField, Select } from "@/components/ui/form-field";

/**
 * The audit filters as a GET form: the choice lands in the URL (?actor=…&action=…), so a filtered
 * view can be bookmarked or pasted into a ticket. next/form navigates without a full reload, and
 * the form still works as a plain form before JavaScript loads.
 */
export function AuditFilters({ actors, actions, actor, action }: { actors: string[]; actions: string[]; actor?: string; action?: string }) {
  return (
    // Keyed by the filters so the menus show the URL's values again after "Clear filters".
    <Form key={`${actor ?? ""}|${action ?? ""}`} action="/audit" className="flex flex-wrap items-end gap-3 border-b border-line px-5 py-4">
      <FormField id="audit-actor" label="Operator" className="w-48">
        <Select id="audit-actor" name="actor" defaultValue={actor ?? ""}>
          <option value="">All operators</option>
          {withCurrent(actors, actor).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </Select>
      </FormField>
      <FormField id="audit-action" label="Action" className="w-56">
        <Select id="audit-action" name="action" defaultValue={action ?? ""}>
          <option value="">All actions</option>
          {withCurrent(actions, action).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </Select>
      </FormField>
      <div className="flex gap-2">
        <Button type="submit" variant="primary">
          Filter
        </Button>
        {(actor || action) && (
          <Link href="/audit" className={buttonClasses("ghost")}>
            Clear filters
          </Link>
        )}
      </div>
    </Form>
  );
}

/** The choices, plus the value in the URL if the log no longer holds it (so the menu shows it). */
function withCurrent(choices: string[], current: string | undefined): string[] {
  return current && !choices.includes(current) ? [...choices, current] : choices;
}
