// Routing-key micro-benchmark (run by `npm run bench` or `npx tsx core/sip/ua/routing-key.bench.ts`): the key of an INVITE, an in-dialog BYE and a 200 OK straight from their bytes; prints JSON lines.
import { BYE, INVITE, OK200 } from '../message/test-support/bench-messages.js'
import { bench } from '../message/test-support/micro-bench.js'
import { routingKeyOfBytes } from './routing-key.js'

let sink = 0
const keyOf = (buf: Buffer) => (): void => {
  sink += routingKeyOfBytes(buf)?.value.length ?? 0
}

bench('routing key of a new INVITE (Call-ID)', keyOf(INVITE), 200_000)
bench('routing key of an in-dialog BYE (To tag)', keyOf(BYE), 200_000)
bench('routing key of a 200 OK (Via branch)', keyOf(OK200), 200_000)
if (sink === 42) console.error('')
