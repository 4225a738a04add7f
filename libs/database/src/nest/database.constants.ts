/** Injection token of the DatabaseHandle provided by DatabaseModule. */
export const DATABASE_HANDLE = 'SURETY_DATABASE_HANDLE';
/** Injection token of the handle's PrismaClient (the PrismaClient class is a token as well). */
export const PRISMA_CLIENT = 'SURETY_PRISMA_CLIENT';
