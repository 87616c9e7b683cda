// Either leg of a call: leg A toward the caller (UasLeg) or the current leg B attempt toward a routing gateway (UacLeg).
import type { UacLeg } from './uac-leg.js'
import type { UasLeg } from './uas-leg.js'

/** Either leg of a call; `side` tells them apart. */
export type Leg = UasLeg | UacLeg
