// Sub-app of /v1/session: the console's login (API key -> session cookie), who-am-I and logout.
import { defineResource } from '../../openapi/operation.js'
import { currentSession } from './current.js'
import { login } from './login.js'
import { logout } from './logout.js'

/** /v1/session, mounted by createApp and documented in /openapi.json. */
export const sessionRoutes = defineResource('/v1/session', 'session', [login, currentSession, logout])
