-- CreateIndex
CREATE INDEX "surety_outbox_pending_key_seq_idx" ON "surety_outbox"("key", "sequence") WHERE (status = 'pending');
