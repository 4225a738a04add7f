/**
 * Wraps a Prisma transaction client so that we can tell afterwards whether the handler
 * touched it at all. A handler that writes through the global client instead commits
 * its effect outside the inbox transaction — the one mistake that silently voids the
 * exactly-once guarantee — and this is the cheapest place to notice it.
 */
export interface TrackedTransaction<Tx extends object> {
  readonly client: Tx;
  /** True once any member of the client (a model delegate, $queryRaw, …) was read. */
  used(): boolean;
}

export function trackTransactionUsage<Tx extends object>(tx: Tx): TrackedTransaction<Tx> {
  let touched = false;
  const client = new Proxy(tx, {
    get(target, property) {
      // `then` is read when the client is awaited or returned from an async function,
      // and symbols by inspection/logging; neither is a query.
      if (property !== 'then' && typeof property !== 'symbol') touched = true;
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client, used: () => touched };
}
