-- CreateIndex
CREATE INDEX "surety_inbox_processed_at_idx" ON "surety_inbox"("processed_at");
