-- CreateEnum
CREATE TYPE "surety_outbox_status" AS ENUM ('pending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "surety_outbox" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT,
    "sequence" BIGINT,
    "exchange" TEXT NOT NULL,
    "routing_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "status" "surety_outbox_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(6),
    "message_id" UUID NOT NULL,

    CONSTRAINT "surety_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "surety_outbox_key_sequence" (
    "key" TEXT NOT NULL,
    "last_sequence" BIGINT NOT NULL,

    CONSTRAINT "surety_outbox_key_sequence_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "surety_inbox" (
    "consumer" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "processed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "surety_inbox_pkey" PRIMARY KEY ("consumer","message_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "surety_outbox_message_id_key" ON "surety_outbox"("message_id");

-- CreateIndex
CREATE INDEX "surety_outbox_pending_due_idx" ON "surety_outbox"("next_attempt_at", "id") WHERE (status = 'pending');

-- CreateIndex
CREATE INDEX "surety_outbox_sent_at_idx" ON "surety_outbox"("sent_at");

-- CreateIndex
CREATE UNIQUE INDEX "surety_outbox_key_sequence_key" ON "surety_outbox"("key", "sequence");

