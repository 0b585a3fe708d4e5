'use strict'
// Command-line options of peer.js (see the usage text below).

const USAGE = `usage: node peer.js [options]
  --listen PORT            listen on 127.0.0.1:PORT (0: any free port)
  --connect HOST:PORT      the default peer to open connections to ...
  --peer AGENT             ... and its agent id
  --mode encrypted|strict|raw
                           Noise-encrypted with npm noise-protocol's transport key order, as deployed
                           (default); Noise-encrypted with the specification's key order (a peer built only
                           from the Noise specification, which knows nothing of extensions); or plaintext
  --key FILE               own identity from a MyCHIPs agent key file (.agk)
  --seed HEX               own identity from a 32-byte Ed25519 seed (default: a random one)
  --ticket JSON            a ticket ({"token":..,"expires":..,"chad":{..}}) for the first new
                           connection, which then opens with I (Noise IK) instead of N+K
  --host HOST              own host in the from address of first messages (default 127.0.0.1)
  --known AGENT[@HOST:PORT]  an agent this peer knows (repeatable); when any is given, N packets
                           from other agents are rejected, otherwise every valid agent is accepted
  --token TOKEN            a ticket token accepted once in an I packet (repeatable); when none is
                           given, every ticket is accepted, as the deployed peer does
  --echo                   answer every received message m with {"echo": m}
  --quiet                  no frame and received events (for load runs; see {"stats":true})
  --idle-ms N              responder idle close, reset by packets from the initiator (default 60000)
  --broken-ik-initiator    send I packets as the deployed JavaScript initiator does (1 byte)`

function parse (argv) {
  const options = {
    listen: null, connect: null, peer: null, mode: 'encrypted', key: null, seed: null, host: '127.0.0.1',
    known: [], tokens: [], ticket: null, echo: false, quiet: false, idleMs: 60000, brokenIkInitiator: false
  }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${name} needs a value`)
      return argv[++i]
    }
    switch (name) {
      case '--listen': options.listen = port(value(), name); break
      case '--connect': options.connect = hostPort(value(), name); break
      case '--peer': options.peer = value(); break
      case '--mode':
        options.mode = value()
        if (!['encrypted', 'strict', 'raw'].includes(options.mode)) throw new Error('--mode is encrypted, strict or raw')
        break
      case '--key': options.key = value(); break
      case '--seed': options.seed = value(); break
      case '--host': options.host = value(); break
      case '--ticket': options.ticket = ticketJson(value()); break
      case '--known': options.known.push(knownAgent(value())); break
      case '--token': options.tokens.push(value()); break
      case '--echo': options.echo = true; break
      case '--quiet': options.quiet = true; break
      case '--idle-ms': options.idleMs = Number.parseInt(value(), 10); break
      case '--broken-ik-initiator': options.brokenIkInitiator = true; break
      case '--help': throw new Error(USAGE)
      default: throw new Error(`unknown option ${name}\n${USAGE}`)
    }
  }
  if (options.connect && !options.peer) throw new Error('--connect needs --peer AGENT')
  if (!(options.idleMs > 0)) throw new Error('--idle-ms must be a positive number')
  return options
}

function ticketJson (text) {
  let ticket
  try {
    ticket = JSON.parse(text)
  } catch (e) {
    throw new Error(`--ticket is not JSON: ${e.message}`)
  }
  if (!ticket || typeof ticket !== 'object' || typeof ticket.token !== 'string') throw new Error('--ticket needs a JSON object with a token')
  return ticket
}

function port (text, name) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name}: not a port: ${text}`)
  return value
}

function hostPort (text, name) {
  const colon = text.lastIndexOf(':')
  if (colon <= 0) throw new Error(`${name}: expected HOST:PORT, not ${text}`)
  return { host: text.slice(0, colon), port: port(text.slice(colon + 1), name) }
}

function knownAgent (text) {
  const at = text.indexOf('@')
  if (at < 0) return { agent: text, host: null, port: null }
  return Object.assign({ agent: text.slice(0, at) }, hostPort(text.slice(at + 1), '--known'))
}

module.exports = { parse, hostPort, knownAgent, USAGE }
