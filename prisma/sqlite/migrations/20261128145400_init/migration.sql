-- CreateTable
CREATE TABLE "pool" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "first_address" BIGINT NOT NULL,
    "last_address" BIGINT NOT NULL,
    "psid_offset" INTEGER NOT NULL DEFAULT 0,
    "psid_length" INTEGER NOT NULL DEFAULT 0,
    "reserved_ports" TEXT NOT NULL DEFAULT '[]',
    "allow_well_known" BOOLEAN NOT NULL DEFAULT false,
    "lease_time" INTEGER NOT NULL,
    "renew_time" INTEGER,
    "rebind_time" INTEGER,
    "subnet_mask" BIGINT,
    "routers" TEXT NOT NULL DEFAULT '[]',
    "dns_servers" TEXT NOT NULL DEFAULT '[]',
    "br_address" TEXT,
    "bind_prefix" TEXT,
    "link_address_prefix" TEXT,
    "interface_id" TEXT,
    "source_prefix" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "lease" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pool_id" INTEGER NOT NULL,
    "address" BIGINT NOT NULL,
    "psid" INTEGER NOT NULL DEFAULT 0,
    "state" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "hw_address" TEXT,
    "ipv6_address" TEXT,
    "softwire_source" BOOLEAN NOT NULL DEFAULT false,
    "relay_info" TEXT,
    "started_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "quarantine_until" DATETIME,
    "last_transaction" DATETIME NOT NULL,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "lease_pool_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "pool" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "lease_event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "lease_id" INTEGER NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_state" TEXT,
    "to_state" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "detail" TEXT,
    CONSTRAINT "lease_event_lease_id_fkey" FOREIGN KEY ("lease_id") REFERENCES "lease" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "reservation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "pool_id" INTEGER NOT NULL,
    "client_id" TEXT NOT NULL,
    "address" BIGINT NOT NULL,
    "psid" INTEGER NOT NULL DEFAULT 0,
    "note" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "reservation_pool_id_fkey" FOREIGN KEY ("pool_id") REFERENCES "pool" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "operator" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_login_at" DATETIME
);

-- CreateTable
CREATE TABLE "session" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "token_hash" TEXT NOT NULL,
    "operator_id" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" DATETIME NOT NULL,
    CONSTRAINT "session_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "operator_id" INTEGER,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "before" TEXT,
    "after" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "pool_name_key" ON "pool"("name");

-- CreateIndex
CREATE INDEX "lease_client_id_idx" ON "lease"("client_id");

-- CreateIndex
CREATE INDEX "lease_pool_id_state_idx" ON "lease"("pool_id", "state");

-- CreateIndex
CREATE INDEX "lease_state_expires_at_idx" ON "lease"("state", "expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "lease_slot_key" ON "lease"("address", "psid");

-- CreateIndex
CREATE INDEX "lease_event_lease_id_at_idx" ON "lease_event"("lease_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "reservation_client_id_key" ON "reservation"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "reservation_slot_key" ON "reservation"("address", "psid");

-- CreateIndex
CREATE UNIQUE INDEX "operator_username_key" ON "operator"("username");

-- CreateIndex
CREATE UNIQUE INDEX "session_token_hash_key" ON "session"("token_hash");

-- CreateIndex
CREATE INDEX "session_expires_at_idx" ON "session"("expires_at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_actor_at_idx" ON "audit_log"("actor", "at");
