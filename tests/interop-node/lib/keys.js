'use strict'
// Agent identities as MyCHIPs uses them: an Ed25519 key pair whose public key, in unpadded
// base64url, is the agent id; the Noise static key is its X25519 conversion (libsodium).
const fs = require('fs')
const sodium = require('sodium-native')

function fromSeed (seed) {
  if (seed.length !== sodium.crypto_sign_SEEDBYTES) throw new Error(`an Ed25519 seed is 32 bytes, not ${seed.length}`)
  const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES)
  const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES)
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
  const noise = { publicKey: Buffer.alloc(32), secretKey: Buffer.alloc(32) }
  sodium.crypto_sign_ed25519_sk_to_curve25519(noise.secretKey, secretKey)
  sodium.crypto_sign_ed25519_pk_to_curve25519(noise.publicKey, publicKey)
  return { agent: publicKey.toString('base64url'), publicKey, noise }
}

function generate () {
  const seed = Buffer.alloc(sodium.crypto_sign_SEEDBYTES)
  sodium.randombytes_buf(seed)
  return fromSeed(seed)
}

// A MyCHIPs agent key file: {"host":..,"port":..,"key":{"kty":"OKP","crv":"Ed25519","d":..,"x":..}}.
function fromKeyFile (path) {
  const spec = JSON.parse(fs.readFileSync(path, 'utf8'))
  const jwk = spec && spec.key
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
    throw new Error(`${path}: not an Ed25519 agent key file`)
  const key = fromSeed(Buffer.from(jwk.d, 'base64url'))
  if (jwk.x !== key.agent) throw new Error(`${path}: key.x does not match key.d`)
  return Object.assign(key, { host: spec.host, port: Number(spec.port) })
}

// The X25519 Noise static key of a remote agent id, or null when the id names no valid curve point.
function noiseKeyOf (agent) {
  if (typeof agent !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(agent)) return null
  const edKey = Buffer.from(agent, 'base64url')
  if (edKey.length !== 32 || edKey.toString('base64url') !== agent) return null
  const x = Buffer.alloc(32)
  try {
    sodium.crypto_sign_ed25519_pk_to_curve25519(x, edKey)
  } catch {
    return null
  }
  return x
}

module.exports = { fromSeed, generate, fromKeyFile, noiseKeyOf }
