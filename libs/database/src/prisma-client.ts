// The generated client (prisma generate -> ./generated/prisma), re-exported so that
// other code imports it from @surety/database and never from the generated folder.
export { Prisma, PrismaClient, OutboxStatus } from './generated/prisma/client';
export type { InboxMessage, OutboxKeySequence, OutboxMessage } from './generated/prisma/client';
