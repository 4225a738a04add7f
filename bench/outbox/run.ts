/**
 * `npm run bench:outbox` — outbox relay, outbox.add overhead and idempotent
 * consumer benchmarks (work in progress; owned by the outbox benchmark).
 */
console.log('bench:outbox — under construction');
