-- DropIndex
DROP INDEX "surety_outbox_key_sequence_key";

-- DropIndex
DROP INDEX "surety_outbox_pending_key_seq_idx";

-- DropIndex
DROP INDEX "surety_outbox_sent_at_idx";

-- CreateIndex
CREATE INDEX "surety_outbox_pending_key_seq_idx" ON "surety_outbox"("key", "sequence") WHERE (status = 'pending' AND key IS NOT NULL);

-- CreateIndex
CREATE INDEX "surety_outbox_sent_at_idx" ON "surety_outbox"("sent_at") WHERE (sent_at IS NOT NULL);

-- CreateIndex
CREATE UNIQUE INDEX "surety_outbox_key_sequence_key" ON "surety_outbox"("key", "sequence") WHERE (key IS NOT NULL);
