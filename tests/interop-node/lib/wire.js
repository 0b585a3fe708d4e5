'use strict'
// The packet layer of the MyCHIPs peer as deployed: a type byte and a body, the body being a Noise
// handshake message, a transport message, or (raw mode) the plaintext itself. Every handshake is a
// fresh noise-protocol HandshakeState with an empty prologue; the transport keys are the ones
// noise-protocol's split assigns (the party writing the last handshake message sends with the first).
const noise = require('noise-protocol')
const cipher = require('noise-protocol/cipher')()
const cipherState = require('noise-protocol/cipher-state')({ cipher })

const EMPTY = Buffer.alloc(0)
const MACLEN = cipherState.MACLEN
const PKLEN = noise.PKLEN

function packet (type, body) {
  const frame = Buffer.alloc(1 + body.length)
  frame.write(type, 0, 'latin1')
  body.copy(frame, 1)
  return frame
}

// Room for the largest first message (IK: e, encrypted s, payload MAC) plus the payload.
function handshakeBuffer (payload) {
  return Buffer.alloc(PKLEN + PKLEN + MACLEN + payload.length + MACLEN)
}

class Handshake {
  constructor (raw, pattern, initiator, staticKeys, remoteStatic) {
    this.raw = raw
    this.state = raw ? null : noise.initialize(pattern, initiator, EMPTY, staticKeys || null, null, remoteStatic || null)
  }

  // Returns { body, split } where split is set after the last message of the pattern.
  write (payload) {
    if (this.raw) return { body: Buffer.from(payload), split: null }
    const out = handshakeBuffer(payload)
    const split = noise.writeMessage(this.state, payload, out)
    return { body: out.subarray(0, noise.writeMessage.bytes), split: split || null }
  }

  // Returns { payload, split }; throws when the message does not authenticate.
  read (body) {
    if (this.raw) return { payload: Buffer.from(body), split: null }
    const out = Buffer.alloc(body.length)
    const split = noise.readMessage(this.state, body, out)
    return { payload: out.subarray(0, noise.readMessage.bytes), split: split || null }
  }

  // The remote static key learned in the handshake (IK responder), as a copy.
  remoteStatic () {
    return this.raw || !this.state.rs ? null : Buffer.from(this.state.rs)
  }

  destroy () {
    if (this.state) noise.destroy(this.state)
    this.state = null
  }
}

function encrypt (split, plaintext) {
  if (!split) return Buffer.from(plaintext)
  const out = Buffer.alloc(plaintext.length + MACLEN)
  cipherState.encryptWithAd(split.tx, out, null, plaintext)
  return out.subarray(0, cipherState.encryptWithAd.bytesWritten)
}

function decrypt (split, ciphertext) {
  if (!split) return Buffer.from(ciphertext)
  if (ciphertext.length < MACLEN) throw new Error('transport message shorter than its MAC')
  const out = Buffer.alloc(ciphertext.length)
  cipherState.decryptWithAd(split.rx, out, null, ciphertext)
  return out.subarray(0, cipherState.decryptWithAd.bytesWritten)
}

module.exports = { Handshake, packet, encrypt, decrypt, EMPTY }
