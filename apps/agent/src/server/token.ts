/**
 * The per-start secret. The printed URL carries it once; afterwards the browser holds it in an
 * HttpOnly cookie and a non-browser client (the CLI) sends it as `Authorization: Bearer`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes: 256 bits, well above the 128 the checklist asks for. */
export const TOKEN_BYTES = 32;

/** What a token supplied by the caller must look like (base64url, at least 128 bits). */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{22,512}$/;

export function createToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_FORMAT.test(token);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Constant-time comparison. Both sides are hashed first so that timingSafeEqual gets equal
 * lengths and the comparison reveals neither the token's length nor a matching prefix.
 */
export function tokenMatches(expected: string, candidate: string | undefined): boolean {
  if (candidate === undefined) return false;
  return timingSafeEqual(digest(expected), digest(candidate));
}

/**
 * Cookies ignore ports, so two agents on one machine would overwrite each other's cookie if
 * they shared a name; the port keeps them apart.
 */
export function tokenCookieName(port: number): string {
  return `netns_lab_token_${port}`;
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    return value;
  }
  return undefined;
}

/** The token of an `Authorization: Bearer TOKEN` header, or undefined. */
export function readBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match?.[1];
}
