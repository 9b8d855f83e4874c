// @peculiar/x509 resolves its services through tsyringe, which throws at
// import time unless a Reflect metadata polyfill is loaded first. Loading it
// here means no user of krake-hooks ever has to know (package.json lists this
// file under sideEffects so that bundlers keep it).
import 'reflect-metadata'
