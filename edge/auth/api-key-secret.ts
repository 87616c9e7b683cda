// Generates operator API key secrets: 32 random bytes in base64url behind a recognisable `ssk_` prefix.

/** Prefix that makes a softswitch key recognisable in logs and secret scanners. */
export const API_KEY_PREFIX = 'ssk_'

/** Encodes bytes as unpadded base64url. */
function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Generates a new secret: `ssk_` + 32 bytes from the CSPRNG in base64url (hashing lives in shared/entities/api-key). */
export function generateApiKeySecret(): string {
  return API_KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)))
}
