// The stream connections another worker of the node holds, as a Transport: what this worker sends over TCP or TLS goes to the holder, which writes it on its connection to the peer.
import type { Mesh } from './mesh.js'
import type { RemoteAddr, SendListener, Transport, TransportProtocol } from './types.js'

/**
 * A worker's view of the TCP or TLS connections another worker accepted or opened: sends travel to that worker,
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
