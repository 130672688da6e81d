import { z } from "zod";

// The rules for operator input, shared by the operators router (which enforces them) and the
// console's forms (which check them before sending, with the same messages). Only zod here:
// this module is bundled into the browser.

export const operatorUsername = z
  .string()
  .trim()
  .min(2, "Username must be at least 2 characters")
  .max(64, "Username is at most 64 characters")
  .regex(/^[a-zA-Z0-9._-]+$/, "Username may use letters, digits, dot, dash and underscore");

export const operatorPassword = z.string().min(10, "Password must be at least 10 characters").max(256, "Password is at most 256 characters");

export const operatorRole = z.enum(["ADMIN", "VIEWER"], { error: "Role must be ADMIN or VIEWER" });

export const newOperatorInput = z.object({ username: operatorUsername, password: operatorPassword, role: operatorRole });
