'use strict'
// A MyCHIPs-compatible peer for the interoperability tests, built only from the npm packages the
// MyCHIPs JavaScript peer uses (noise-protocol, frame-stream, sodium-native). It puts on the wire
// what the deployed peer puts there (see ../../README.md, "Interoperability peer") and is driven by
// JSON lines: commands on stdin, events on stdout.
//
// Commands:
//   {"send": {...message...}, "to": "AGENT" | {"agent":..,"host":..,"port":..}, "ref": any}
//   {"send": {...}, "to": .., "repeat": N}   N copies as T packets on an open channel (load runs)
//   {"send": {...}, "to": .., "ticket": {"token":..,..}}  open a new channel with I (Noise IK)
//   {"close": true}            close every connection and exit
//   {"close": "AGENT"}         close the connections with that agent
//   {"echo": true|false}       switch echo mode
//   {"know": "AGENT[@HOST:PORT]"}, {"accept": "TOKEN"}
//   {"stats": true}            report message counts
//   {"notify": {"received": N}}  emit {"event":"reached","received":N} once N messages have arrived
// Events: ready, listening, connected, frame, sent, open, received, dropped, rejected, closed, stats, error.
const net = require('net')
const readline = require('readline')
const keys = require('./lib/keys')
const { parse, knownAgent } = require('./lib/options')
const { Connection } = require('./lib/connection')

class Peer {
  constructor (options) {
    this.options = options
    this.key = options.key
      ? keys.fromKeyFile(options.key)
      : options.seed ? keys.fromSeed(Buffer.from(options.seed, 'hex')) : keys.generate()
    this.known = new Map() // agent -> { host, port }
    this.restrictAgents = options.known.length > 0
    for (const k of options.known) this.know(k)
    if (options.connect) this.know({ agent: options.peer, host: options.connect.host, port: options.connect.port })
    this.tokens = new Set(options.tokens)
    this.anyTicket = options.tokens.length === 0
    this.connections = new Set()
    this.port = 0
    this.counts = { received: 0, sent: 0, dropped: 0 }
    this.notify = [] // pending received-count thresholds
  }

  start () {
    if (this.options.listen === null) return this.ready()
    this.server = net.createServer(socket => {
      const conn = new Connection(this, socket, 'responder')
      this.connections.add(conn)
      this.emit({ event: 'connected', conn: conn.id, role: 'responder', remote: `${socket.remoteAddress}:${socket.remotePort}` })
    })
    this.server.on('error', e => { this.emit({ event: 'error', message: `listen failed: ${e.message}` }); process.exit(2) })
    this.server.listen(this.options.listen, '127.0.0.1', () => {
      this.port = this.server.address().port
      this.emit({ event: 'listening', port: this.port, agent: this.key.agent })
      this.ready()
    })
  }

  ready () {
    this.emit({ event: 'ready', agent: this.key.agent, mode: this.options.mode, port: this.port || null, noiseKey: this.key.noise.publicKey.toString('hex') })
  }

  chad () {
    return { agent: this.key.agent, host: this.options.host, port: this.port || this.key.port || 0 }
  }

  know ({ agent, host, port }) {
    const previous = this.known.get(agent) || {}
    this.known.set(agent, { host: host || previous.host || null, port: port || previous.port || null })
  }

  knows (agent) {
    return !this.restrictAgents || this.known.has(agent)
  }

  redeem (token) {
    if (this.anyTicket) return true
    return this.tokens.delete(token) // good once
  }

  // ---- commands -------------------------------------------------------------------------------

  command (line) {
    if (!line.trim()) return
    let c
    try {
      c = JSON.parse(line)
    } catch (e) {
      return this.emit({ event: 'error', message: `command is not JSON: ${e.message}` })
    }
    try {
      if (c.send !== undefined) this.send(c)
      else if (c.close === true) this.shutdown()
      else if (typeof c.close === 'string') this.closeAgent(c.close)
      else if (typeof c.echo === 'boolean') this.options.echo = c.echo
      else if (typeof c.know === 'string') this.know(knownAgent(c.know))
      else if (typeof c.accept === 'string') { this.tokens.add(c.accept); this.anyTicket = false }
      else if (c.notify && Number.isInteger(c.notify.received)) this.notifyAt(c.notify.received)
      else if (c.stats) this.emit(Object.assign({ event: 'stats', connections: this.connections.size }, this.counts))
      else this.emit({ event: 'error', message: `unknown command: ${line}` })
    } catch (e) {
      this.emit({ event: 'error', message: `command failed: ${e.message}` })
    }
  }

  send (c) {
    const message = c.send
    if (!message || typeof message !== 'object') return this.drop(c, null, 'send needs a JSON object message')
    const target = this.target(c.to !== undefined ? c.to : message.to)
    if (!target) return this.drop(c, null, 'no target agent (give "to", a message "to", or --peer)')
    const existing = this.connectionTo(target.agent)
    const repeat = c.repeat === undefined ? 1 : c.repeat
    if (!Number.isInteger(repeat) || repeat < 1) return this.drop(c, target.agent, 'repeat must be a positive integer')
    if (existing && existing.state === 'open') {
      for (let i = 0; i < repeat; i++) existing.send(message)
      this.counts.sent += repeat
      return this.emit({ event: 'sent', conn: existing.id, to: target.agent, packet: 'T', ref: c.ref, count: repeat })
    }
    if (repeat > 1) return this.drop(c, target.agent, 'repeat needs an open channel')
    // Like the deployed peer, nothing is queued while a connection is being opened.
    if (existing) return this.drop(c, target.agent, `connection ${existing.id} is ${existing.state}`)
    if (!target.host || !target.port) return this.drop(c, target.agent, 'no host and port known for the agent')
    // A ticket (from the command, else the --ticket option, used once) opens the channel with I.
    let ticket = c.ticket || null
    if (!ticket && this.options.ticket) {
      ticket = this.options.ticket
      this.options.ticket = null
    }
    this.open(target, message, c, ticket)
  }

  open (target, message, c, ticket) {
    const socket = net.connect(target.port, target.host)
    const conn = new Connection(this, socket, 'initiator')
    conn.agent = target.agent
    this.connections.add(conn)
    socket.once('connect', () => {
      this.emit({ event: 'connected', conn: conn.id, role: 'initiator', remote: `${target.host}:${target.port}` })
      conn.initiate(target.agent, message, ticket)
      this.counts.sent++
    })
    socket.once('error', e => {
      if (conn.state === 'none') this.drop(c, target.agent, `connect failed: ${e.code || e.message}`)
    })
  }

  target (to) {
    if (to === undefined || to === null) {
      return this.options.peer ? Object.assign({ agent: this.options.peer }, this.known.get(this.options.peer)) : null
    }
    if (typeof to === 'string') return Object.assign({ agent: to }, this.known.get(to) || {})
    if (typeof to === 'object' && typeof to.agent === 'string') {
      const known = this.known.get(to.agent) || {}
      return { agent: to.agent, host: to.host || known.host, port: to.port || known.port }
    }
    return null
  }

  connectionTo (agent) {
    let found = null
    for (const conn of this.connections) {
      if (conn.agent !== agent || conn.state === 'closed') continue
      if (conn.state === 'open') return conn
      found = found || conn
    }
    return found
  }

  notifyAt (received) {
    if (this.counts.received >= received) return this.emit({ event: 'reached', received })
    this.notify.push(received)
  }

  drop (c, agent, reason) {
    this.counts.dropped++
    this.emit({ event: 'dropped', to: agent, reason, ref: c.ref })
  }

  closeAgent (agent) {
    for (const conn of this.connections) if (conn.agent === agent) conn.close('closed by command')
  }

  shutdown () {
    if (this.server) this.server.close()
    if (this.connections.size === 0) return process.exit(0)
    for (const conn of this.connections) conn.close('closed by command')
    this.exiting = true
    setTimeout(() => process.exit(0), 3000).unref()
  }

  forget (conn) {
    this.connections.delete(conn)
    if (this.exiting && this.connections.size === 0) setImmediate(() => process.exit(0))
  }

  // ---- events ---------------------------------------------------------------------------------

  onMessage (conn, packet, message) {
    this.counts.received++
    if (this.notify.length > 0 && this.notify.includes(this.counts.received)) {
      this.notify = this.notify.filter(n => n !== this.counts.received)
      this.emit({ event: 'reached', received: this.counts.received })
    }
    if (!this.options.quiet) this.emit({ event: 'received', conn: conn.id, from: conn.agent, packet, message })
    // Echoes are not echoed again, so two echoing peers do not loop.
    if (this.options.echo && message.echo === undefined && conn.send({ echo: message })) this.counts.sent++
  }

  emitFrame (event) {
    if (!this.options.quiet) this.emit(event)
  }

  emit (event) {
    process.stdout.write(JSON.stringify(event) + '\n')
  }
}

function main () {
  let options
  try {
    options = parse(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(e.message + '\n')
    process.exit(2)
  }
  let peer
  try {
    peer = new Peer(options)
  } catch (e) {
    process.stderr.write(`cannot start: ${e.message}\n`)
    process.exit(2)
  }
  const input = readline.createInterface({ input: process.stdin })
  input.on('line', line => peer.command(line))
  // The controlling test has gone: leave no process behind.
  input.on('close', () => peer.shutdown())
  peer.start()
}

main()
