// A stream connection held by another worker of the node, as a Transport: what the owner of a message sends back goes to the holder, which writes it on the connection.
import type { Mesh } from './mesh.js'
import type { RemoteAddr, SendListener, Transport, TransportProtocol } from './types.js'

/**
 * The owner's view of a TCP or TLS connection that another worker accepted or opened: sends travel to that worker,
 * which sends them over its own stream transport (reusing the connection to `remote`, or opening one as RFC 3261
 * §18.2.2 asks once it closed). A send that fails there is counted there; the owner is not told (a response on a
 * reliable transport is not retransmitted either way).
 */
export class RemoteFlowTransport implements Transport {
  readonly reliable = true

  constructor(
    readonly protocol: TransportProtocol,
    readonly local: RemoteAddr,
    private readonly holder: number,
    private readonly mesh: Mesh,
  ) {}

  send(buf: Buffer, remote: RemoteAddr, _listener?: SendListener): void {
    this.mesh.send(this.holder, 'send', this.protocol, remote, buf)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }

  hasFlow(): boolean {
    return true
  }
}
