/** Injection token of the configured stores ({ db?, redis? }). */
export const IDEMPOTENCY_STORES = Symbol('surety:idempotency:stores');
