import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createCaller } from "@/server/api/root";
import type { Context } from "@/server/api/trpc";
import { ensureFirstAdmin } from "@/server/auth/first-admin";
import { operatorForToken, sessionTokenFrom } from "@/server/auth/sessions";
import { createTestDatabase, testBackends, type TestDatabase } from "./support/databases";

const backends = await testBackends();

describe.each(backends)("operator accounts and roles through tRPC on %s", (backend) => {
  let t: TestDatabase;
  const adminPassword = "correct horse battery";

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    process.env.PORTSHARE_ADMIN_PASSWORD = adminPassword;
    await ensureFirstAdmin(t.db, () => {});
    delete process.env.PORTSHARE_ADMIN_PASSWORD;
  });
  afterAll(() => t.drop());

  /** A caller as a browser with the given session cookie would be. */
  async function callerWith(token?: string) {
    const resHeaders = new Headers();
    const ctx: Context = { db: t.db, sessionToken: token, operator: await operatorForToken(t.db, token), resHeaders, secure: false };
    return { caller: createCaller(ctx), resHeaders };
  }

  async function signInAs(username: string, password: string): Promise<string> {
    const { caller, resHeaders } = await callerWith();
    await caller.auth.signIn({ username, password });
    const token = sessionTokenFrom(resHeaders.get("set-cookie")?.split(";")[0]);
    expect(token).toBeTruthy();
    return token!;
  }

  const codeOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error instanceof TRPCError ? error.code : String(error);
    }
    return "resolved";
  };

  it("creates the first admin once, audited", async () => {
    await ensureFirstAdmin(t.db, () => {});
    expect(await t.db.operator.count()).toBe(1);
    const audit = await t.db.auditLog.findFirst({ where: { action: "operator.create", target: "admin" } });
    expect(audit?.actor).toBe("system");
  });

  it("refuses a wrong password and anonymous reads", async () => {
    const { caller } = await callerWith();
    expect(await codeOf(caller.auth.signIn({ username: "admin", password: "nope" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(caller.auth.signIn({ username: "nobody", password: "nope" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(caller.dashboard.summary())).toBe("UNAUTHORIZED");
  });

  it("sets an HTTP-only session cookie that identifies the admin", async () => {
    const { caller, resHeaders } = await callerWith();
    await caller.auth.signIn({ username: "admin", password: adminPassword });
    const cookie = resHeaders.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^portshare_session=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    const token = sessionTokenFrom(cookie.split(";")[0]);
    expect(await (await callerWith(token)).caller.auth.me()).toMatchObject({ username: "admin", role: "ADMIN" });
  });

  it("lets an admin add a viewer, and refuses the viewer's mutations with FORBIDDEN", async () => {
    const admin = (await callerWith(await signInAs("admin", adminPassword))).caller;
    const viewer = await admin.operators.create({ username: "noc-viewer", password: "viewer-password-1", role: "VIEWER" });
    expect(viewer.role).toBe("VIEWER");
    expect(await t.db.auditLog.count({ where: { action: "operator.create", target: "noc-viewer", actor: "admin" } })).toBe(1);

    const asViewer = (await callerWith(await signInAs("noc-viewer", "viewer-password-1"))).caller;
    expect(await codeOf(asViewer.operators.create({ username: "x1", password: "viewer-password-2", role: "ADMIN" }))).toBe("FORBIDDEN");
    expect(await codeOf(asViewer.operators.setRole({ id: viewer.id, role: "ADMIN" }))).toBe("FORBIDDEN");
    // Reads are open to viewers.
    expect((await asViewer.dashboard.summary()).pools).toEqual({});
  });

  it("names the field in validation and rule errors", async () => {
    const admin = (await callerWith(await signInAs("admin", adminPassword))).caller;
    const short = await admin.operators.create({ username: "ok-name", password: "short", role: "VIEWER" }).catch((e: TRPCError) => e);
    expect(short).toBeInstanceOf(TRPCError);
    expect((short as TRPCError).code).toBe("BAD_REQUEST");
    expect((short as TRPCError).message).toMatch(/password: Password must be at least 10 characters/);
    const duplicate = await admin.operators.create({ username: "admin", password: "long-enough-pw", role: "VIEWER" }).catch((e: TRPCError) => e);
    expect((duplicate as TRPCError).code).toBe("CONFLICT");
  });

  it("keeps the last admin, and ends a disabled operator's sessions", async () => {
    const adminToken = await signInAs("admin", adminPassword);
    const admin = (await callerWith(adminToken)).caller;
    const me = await admin.auth.me();
    expect(await codeOf(admin.operators.setDisabled({ id: me!.id, disabled: true }))).toBe("BAD_REQUEST");

    const viewer = (await t.db.operator.findUniqueOrThrow({ where: { username: "noc-viewer" } }));
    const viewerToken = await signInAs("noc-viewer", "viewer-password-1");
    await admin.operators.setDisabled({ id: viewer.id, disabled: true });
    expect(await operatorForToken(t.db, viewerToken)).toBeNull();
    expect(await codeOf(signInAs("noc-viewer", "viewer-password-1"))).toBe("UNAUTHORIZED");
  });

  it("stores only scrypt hashes", async () => {
    for (const op of await t.db.operator.findMany()) expect(op.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
  });
});
