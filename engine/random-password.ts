import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random password of letters and digits only: people pass it as `--password P`, where one starting with `-` (as a
 * base64url string may) reads as another option. 32 characters carry about 190 bits.
 */
export const randomPassword = (length = 32) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
