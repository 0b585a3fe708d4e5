'use strict'
// One TCP connection of the peer, either side, with the deployed MyCHIPs peer's packet sequence:
//   ticket connection:  I ->, <- A, then T both ways
//   later connections:  N ->, K -> (back to back), <- A, then T both ways
// Unknown packet types and packets not expected in the current state are ignored, as the
// deployed peer does. Where the deployed peer goes on after a failure (a KK message that does
// not decrypt, an invalid ticket), this one reports the failure and closes instead.
const frame = require('frame-stream')
const { Handshake, packet, encrypt, decrypt, EMPTY } = require('./wire')
const { noiseKeyOf } = require('./keys')

let nextId = 1

class Connection {
  constructor (peer, socket, role) {
    this.peer = peer
    this.id = nextId++
    this.role = role // 'initiator' | 'responder'
    this.state = 'none' // none -> (responder: id | ticket) | (initiator: pending) -> open -> closed
    this.agent = null // the remote agent id, once known
    this.split = null // transport cipher states after the handshake (encrypted mode)
    this.handshake = null
    this.closeReason = null
    this.socket = socket
    this.encoder = frame.encode()
    this.encoder.pipe(socket)
    const decoder = socket.pipe(frame.decode())
    decoder.on('data', d => this.onFrame(d))
    decoder.on('error', e => this.close(`framing error: ${e.message}`))
    socket.on('error', e => { this.closeReason = this.closeReason || `socket error: ${e.code || e.message}` })
    socket.on('close', () => this.onSocketClosed())
    if (role === 'responder') this.resetIdle()
  }

  get raw () { return this.peer.options.mode === 'raw' }

  // ---- initiator side -------------------------------------------------------------------------

  // Opens the channel with its first message: I when a ticket is given or the message is a tally
  // ticket message (the deployed peer's rule), N+K otherwise.
  initiate (agent, message, ticket) {
    this.agent = agent
    const remoteStatic = this.raw ? null : noiseKeyOf(agent)
    if (!this.raw && !remoteStatic) return this.close(`agent ${agent} has no valid Noise key`)
    if (ticket && !message.ticket) message.ticket = ticket
    message.from = Object.assign(message.from || {}, this.peer.chad())
    const body = Buffer.from(JSON.stringify(message))
    const isTicket = !!ticket || (message.target === 'tally' && message.action === 'ticket' && !!message.ticket)
    if (isTicket) {
      if (this.peer.options.brokenIkInitiator) {
        // The deployed IK initiator's buffer is 16 bytes short; what reaches the wire is the type byte alone.
        this.write(packet('I', EMPTY))
      } else {
        this.handshake = new Handshake(this.raw, 'IK', true, this.peer.key.noise, remoteStatic)
        this.write(packet('I', this.handshake.write(body).body))
      }
      this.pendingPattern = 'IK'
    } else {
      const announce = new Handshake(this.raw, 'N', true, null, remoteStatic)
      this.write(packet('N', announce.write(Buffer.from(JSON.stringify(this.peer.key.agent))).body))
      announce.destroy()
      this.handshake = new Handshake(this.raw, 'KK', true, this.peer.key.noise, remoteStatic)
      this.write(packet('K', this.handshake.write(body).body))
      this.pendingPattern = 'KK'
    }
    this.state = 'pending'
    this.peer.emit({ event: 'sent', conn: this.id, to: agent, packet: isTicket ? 'I' : 'K' })
  }

  // ---- both sides -----------------------------------------------------------------------------

  // Sends a message on an open channel as a T packet; false when the channel is not open.
  send (message) {
    if (this.state !== 'open') return false
    this.write(packet('T', encrypt(this.split, Buffer.from(JSON.stringify(message)))))
    return true
  }

  onFrame (data) {
    const type = data.length > 0 ? String.fromCharCode(data[0]) : ''
    this.peer.emitFrame({ event: 'frame', dir: 'in', conn: this.id, type, length: data.length })
    if (this.state === 'closed') return
    // The deployed peer resets its idle timer on packets from the initiator only.
    if (this.role === 'responder') this.resetIdle()
    const body = data.subarray(1)
    try {
      if (this.state === 'open') {
        if (type === 'T') this.deliver('T', parseJson(decrypt(this.split, body)))
      } else if (this.role === 'responder') {
        this.onHandshakeFromInitiator(type, body)
      } else if (this.state === 'pending' && type === 'A') {
        this.onAccept(body)
      }
    } catch (e) {
      this.reject(`${type} packet failed: ${e.message}`)
    }
  }

  // ---- responder side -------------------------------------------------------------------------

  onHandshakeFromInitiator (type, body) {
    if (this.state === 'none' && type === 'N') {
      const announce = new Handshake(this.raw, 'N', false, this.peer.key.noise, null)
      let agent
      try {
        agent = parseJson(announce.read(body).payload)
      } finally {
        announce.destroy()
      }
      if (typeof agent !== 'string') return this.reject('N packet does not carry an agent id')
      const remoteStatic = noiseKeyOf(agent)
      if (!remoteStatic) return this.reject(`N packet names an invalid agent id: ${agent}`)
      if (!this.peer.knows(agent)) return this.reject(`unknown agent ${agent}`)
      this.agent = agent
      this.handshake = new Handshake(this.raw, 'KK', false, this.peer.key.noise, remoteStatic)
      this.state = 'id'
    } else if (this.state === 'none' && type === 'I') {
      this.handshake = new Handshake(this.raw, 'IK', false, this.peer.key.noise, null)
      const message = parseJson(this.handshake.read(body).payload)
      if (!message || !message.ticket || !message.from || typeof message.from.agent !== 'string')
        return this.reject('I packet without ticket or from address')
      if (!this.peer.redeem(message.ticket.token)) return this.reject(`ticket token not accepted: ${message.ticket.token}`)
      this.agent = message.from.agent
      // The deployed peer only logs a mismatch between the handshake key and the declared agent.
      const declared = noiseKeyOf(message.from.agent)
      const learned = this.handshake.remoteStatic()
      const keyMatch = this.raw ? null : !!(declared && learned && declared.equals(learned))
      this.accept('IK', { keyMatch })
      this.deliver('I', message)
    } else if (this.state === 'id' && type === 'K') {
      const message = parseJson(this.handshake.read(body).payload)
      this.accept('KK', {})
      if (message) this.deliver('K', message)
    }
  }

  accept (pattern, details) {
    const { body, split } = this.handshake.write(EMPTY)
    this.split = this.transportKeys(split)
    this.handshake.destroy()
    this.write(packet('A', body))
    this.state = 'open'
    this.peer.emit(Object.assign({ event: 'open', conn: this.id, agent: this.agent, role: this.role, handshake: pattern }, details))
  }

  // ---- initiator side, continued ----------------------------------------------------------------

  onAccept (body) {
    const { split } = this.handshake.read(body)
    this.split = this.transportKeys(split)
    this.handshake.destroy()
    this.state = 'open'
    this.peer.emit({ event: 'open', conn: this.id, agent: this.agent, role: this.role, handshake: this.pendingPattern })
  }

  // ---- common -----------------------------------------------------------------------------------

  // noise-protocol gives the first transport key to the party that wrote the last handshake message; the
  // Noise specification gives it to the initiator. The strict profile follows the specification.
  transportKeys (split) {
    if (!split || this.peer.options.mode !== 'strict') return split
    return { tx: split.rx, rx: split.tx }
  }

  deliver (type, message) {
    if (!message || typeof message !== 'object') return
    this.peer.onMessage(this, type, message)
  }

  reject (reason) {
    this.peer.emit({ event: 'rejected', conn: this.id, agent: this.agent, reason })
    this.close(`rejected: ${reason}`)
  }

  write (frameBody) {
    if (this.state === 'closed') return
    this.peer.emitFrame({ event: 'frame', dir: 'out', conn: this.id, type: String.fromCharCode(frameBody[0]), length: frameBody.length })
    this.encoder.write(frameBody)
  }

  resetIdle () {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.close('idle'), this.peer.options.idleMs)
  }

  close (reason) {
    if (this.state === 'closed') return
    this.closeReason = this.closeReason || reason
    this.state = 'closed'
    if (this.idleTimer) clearTimeout(this.idleTimer)
    if (this.handshake) this.handshake.destroy()
    this.encoder.end()
    this.socket.end()
    // A peer that does not answer the FIN must not keep the connection forever.
    setTimeout(() => this.socket.destroy(), 2000).unref()
  }

  onSocketClosed () {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    if (this.handshake) this.handshake.destroy()
    const reason = this.closeReason || 'remote closed'
    this.state = 'closed'
    this.peer.forget(this)
    this.peer.emit({ event: 'closed', conn: this.id, agent: this.agent, reason })
  }
}

function parseJson (buffer) {
  if (!buffer || buffer.length === 0) return null
  try {
    return JSON.parse(buffer.toString('utf8'))
  } catch {
    throw new Error('payload is not JSON')
  }
}

module.exports = { Connection }
