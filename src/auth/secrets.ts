// Key secrets: 192 random bits, shown once and stored only as a SHA-256 digest. A fast hash
// is enough here (unlike for passwords): nobody can guess or brute-force a random 192-bit
// secret from its digest, and every request hashes the key it presents.
import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'sift_';

export function newSecret(): string {
  return `${PREFIX}${randomBytes(24).toString('base64url')}`;
}

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
