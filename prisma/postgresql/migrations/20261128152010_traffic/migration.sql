-- CreateTable
CREATE TABLE "traffic_minute" (
    "worker_id" TEXT NOT NULL,
    "minute" TIMESTAMP(3) NOT NULL,
    "offers" INTEGER NOT NULL DEFAULT 0,
    "acks" INTEGER NOT NULL DEFAULT 0,
    "naks" INTEGER NOT NULL DEFAULT 0,
    "drops" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "traffic_minute_pkey" PRIMARY KEY ("worker_id","minute")
);

-- CreateIndex
CREATE INDEX "traffic_minute_minute_idx" ON "traffic_minute"("minute");
