/** A bad field of a plan (PLAN= or an API body): names the field, what was given and what is allowed. */
export class PlanFieldError extends Error {
  constructor(readonly field: string, readonly value: string, readonly allowed: string) {
    super(`${field}: got "${value}", expected ${allowed}`);
    this.name = "PlanFieldError";
  }
}
