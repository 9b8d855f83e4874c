// The one door to @peculiar/x509: the polyfill is evaluated before it, since
// ES modules run their imports in the order they are written.
import './reflect.js'
export * as x509 from '@peculiar/x509'
