import type { Database } from "../db";
import type { OperatorRole } from "../db/generated/sqlite/enums";
import { recordAudit } from "../audit/audit-log";
import { RuleError } from "../errors/rule-error";
import { hashPassword } from "./password";
import { endSessionsOf, type SignedInOperator } from "./sessions";


export interface OperatorView {
  id: number;
  username: string;
  role: OperatorRole;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const view = { id: true, username: true, role: true, disabled: true, createdAt: true, lastLoginAt: true } as const;

export function listOperators(db: Database): Promise<OperatorView[]> {
  return db.operator.findMany({ select: view, orderBy: { username: "asc" } });
}

export async function createOperator(
  db: Database,
  actor: SignedInOperator,
  input: { username: string; password: string; role: OperatorRole },
): Promise<OperatorView> {
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.operator.findUnique({ where: { username: input.username } })) {
      throw new RuleError(`An operator named "${input.username}" already exists`, "username", "conflict");
    }
    const created = await tx.operator.create({ data: { username: input.username, passwordHash, role: input.role }, select: view });
    await recordAudit(tx, { actor: actor.username, operatorId: actor.id, action: "operator.create", target: created.username, after: { role: created.role } });
    return created;
  });
}

/** Changes role and/or disabled flag; ends the operator's sessions so the change applies at once. */
export async function updateOperator(
  db: Database,
  actor: SignedInOperator,
  id: number,
  change: { role?: OperatorRole; disabled?: boolean },
): Promise<OperatorView> {
  const updated = await db.$transaction(async (tx) => {
    const before = await tx.operator.findUnique({ where: { id }, select: view });
    if (!before) throw new RuleError(`No operator with id ${id}`, "id", "not-found");
    const demotes = (change.role && change.role !== "ADMIN") || change.disabled === true;
    if (demotes && before.role === "ADMIN" && !before.disabled) {
      const otherAdmins = await tx.operator.count({ where: { role: "ADMIN", disabled: false, id: { not: id } } });
      if (otherAdmins === 0) throw new RuleError("The last enabled admin cannot be demoted or disabled", change.role ? "role" : "disabled");
    }
    const after = await tx.operator.update({ where: { id }, data: change, select: view });
    await recordAudit(tx, {
      actor: actor.username,
      operatorId: actor.id,
      action: change.disabled === undefined ? "operator.role" : change.disabled ? "operator.disable" : "operator.enable",
      target: before.username,
      before: { role: before.role, disabled: before.disabled },
      after: { role: after.role, disabled: after.disabled },
    });
    return after;
  });
  await endSessionsOf(db, id);
  return updated;
}

export async function resetPassword(db: Database, actor: SignedInOperator, id: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const target = await tx.operator.findUnique({ where: { id } });
    if (!target) throw new RuleError(`No operator with id ${id}`, "id", "not-found");
    await tx.operator.update({ where: { id }, data: { passwordHash } });
    await recordAudit(tx, { actor: actor.username, operatorId: actor.id, action: "operator.password", target: target.username });
  });
  await endSessionsOf(db, id);
}
