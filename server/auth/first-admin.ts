import type { Database } from "../db/client";
import { recordAudit } from "../audit/audit-log";
import { generatePassword, hashPassword } from "./password";

/**
 * On a database with no operator, creates the admin account `admin`, with the password from
 * PORTSHARE_ADMIN_PASSWORD or a random one that is printed once.
 */
export async function ensureFirstAdmin(db: Database, log: (line: string) => void = console.log): Promise<void> {
  if ((await db.operator.count()) > 0) return;
  const given = process.env.PORTSHARE_ADMIN_PASSWORD;
  const password = given || generatePassword();
  const passwordHash = await hashPassword(password);
  try {
    await db.$transaction(async (tx) => {
      // Re-checked inside the transaction: a second process starting at once must not add another.
      if ((await tx.operator.count()) > 0) throw new AlreadyCreated();
      const admin = await tx.operator.create({ data: { username: "admin", passwordHash, role: "ADMIN" } });
      await recordAudit(tx, { actor: "system", action: "operator.create", target: "admin", after: { id: admin.id, role: admin.role } });
    });
  } catch (error) {
    if (error instanceof AlreadyCreated) return;
    // Under READ COMMITTED both processes may pass the count; the unique username decides, and
    // the loser (a worker started together with others on a fresh database) carries on.
    if ((error as { code?: unknown }).code === "P2002") return;
    throw error;
  }
  log(
    given
      ? "Created the first operator: admin (password from PORTSHARE_ADMIN_PASSWORD)"
      : `Created the first operator: admin, password ${password} (shown once; change it under Operators)`,
  );
}

class AlreadyCreated extends Error {}
