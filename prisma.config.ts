import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's CLI would fetch a native schema engine before every command. generate,
// validate and format never execute it, so point it at a script that explains why
// it is absent; migrations are applied by our own runner (npm run db:migrate).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(
  __dirname,
  'prisma',
  'offline-schema-engine.sh',
);

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
