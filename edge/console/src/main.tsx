// Entry point of the operator console bundle: styles and the app mounted on #app.
import { render } from 'preact'
import { App } from './app.js'
import './styles.css'

render(<App />, document.getElementById('app')!)
