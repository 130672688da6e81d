/**
 * A request refused by a domain rule (an overlapping pool, the last admin, a lease that is not
 * live), naming the input field it concerns so a form can show the message next to it.
 */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly kind: "invalid" | "not-found" | "conflict" = "invalid",
  ) {
    super(message);
    this.name = "RuleError";
  }
}
