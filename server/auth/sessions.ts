import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/client";
import type { OperatorRole } from "../db/generated/sqlite/enums";
import { verifyPassword } from "./password";

export const SESSION_COOKIE = "portshare_session";
const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface SignedInOperator {
  id: number;
  username: string;
  role: OperatorRole;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** Checks the credentials and opens a session; null when they are wrong or the account is disabled. */
export async function signIn(
  db: Database,
  username: string,
  password: string,
): Promise<{ token: string; expiresAt: Date; operator: SignedInOperator } | null> {
  const operator = await db.operator.findUnique({ where: { username } });
  // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
  const ok = await verifyPassword(password, operator?.passwordHash ?? DUMMY_HASH);
  if (!operator || !ok || operator.disabled) return null;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_LIFETIME_MS);
  await db.session.create({ data: { tokenHash: hashToken(token), operatorId: operator.id, expiresAt } });
  await db.operator.update({ where: { id: operator.id }, data: { lastLoginAt: new Date() } });
  return { token, expiresAt, operator: { id: operator.id, username: operator.username, role: operator.role } };
}

/** The operator behind a session token, if the session is live and the account enabled. */
export async function operatorForToken(db: Database, token: string | undefined): Promise<SignedInOperator | null> {
  if (!token) return null;
  const session = await db.session.findUnique({ where: { tokenHash: hashToken(token) }, include: { operator: true } });
  if (!session || session.expiresAt <= new Date() || session.operator.disabled) return null;
  const { id, username, role } = session.operator;
  return { id, username, role };
}

export async function signOut(db: Database, token: string | undefined): Promise<void> {
  if (token) await db.session.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** Ends every session of an operator (disable, role change, password reset). */
export async function endSessionsOf(db: Database, operatorId: number): Promise<void> {
  await db.session.deleteMany({ where: { operatorId } });
}

export async function purgeExpiredSessions(db: Database): Promise<number> {
  return (await db.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })).count;
}

/** Reads the session token from a Cookie header. */
export function sessionTokenFrom(cookieHeader: string | null | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

// A valid scrypt string for "no such user" checks (salt and hash of an unguessable value).
const DUMMY_HASH = "scrypt$32768$8$1$00000000000000000000000000000000$0000000000000000000000000000000000000000000000000000000000000000";
