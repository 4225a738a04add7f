#!/bin/sh
# Stand-in for Prisma's native schema-engine binary, which Prisma would download from
# its binary host. `prisma generate|validate|format` never run the engine; anything
# that would (migrate, db push) must use our runner instead: npm run db:migrate.
echo "surety: the Prisma schema engine is not used here; apply migrations with 'npm run db:migrate' and author them with 'npm run db:migration:new -- <name>'" >&2
exit 1
