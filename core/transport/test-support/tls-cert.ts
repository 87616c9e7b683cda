// Makes a throw-away self-signed certificate (EC P-256, SAN 127.0.0.1 / ::1 / localhost) with openssl for TLS tests.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A certificate and key as PEM text and as files (for a core process or stunnel). */
export interface TestCertificate {
  cert: string
  key: string
  certFile: string
  keyFile: string
  /** Removes the files. */
  cleanup(): void
}

/** Creates a certificate valid for two days, named `cn`. */
export function makeTestCertificate(cn = 'localhost'): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'softswitch-tls-'))
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
  ], { stdio: 'ignore' })
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}
