// Signs and checks MyCHIPs tally and chit signatures the way MyCHIPs's JavaScript does: WebCrypto ECDSA on P-521
// with SHA-384 over json-stable-stringify text, the raw signature in base64url. Used by the bridge's tests.
// stdin: {"content": ..., "publicJwk"?: ..., "signature"?: ...}
// With publicJwk and signature: prints {"valid": bool}. Without: makes a key and prints {publicJwk, signature, text}.
const { webcrypto } = require('crypto')
const stringify = require('json-stable-stringify')
const algorithm = { name: 'ECDSA', namedCurve: 'P-521', hash: { name: 'SHA-384' } }

async function main () {
  let input = ''
  for await (const chunk of process.stdin) input += chunk
  const { content, publicJwk, signature } = JSON.parse(input)
  const text = stringify(content)
  const data = new TextEncoder().encode(text)
  if (publicJwk) {
    const key = await webcrypto.subtle.importKey('jwk', publicJwk, algorithm, true, ['verify'])
    const valid = await webcrypto.subtle.verify(algorithm, key, Buffer.from(signature, 'base64url'), data)
    process.stdout.write(JSON.stringify({ valid, text }))
    return
  }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const signed = Buffer.from(await webcrypto.subtle.sign(algorithm, keys.privateKey, data)).toString('base64url')
  const exported = await webcrypto.subtle.exportKey('jwk', keys.publicKey)
  process.stdout.write(JSON.stringify({ publicJwk: exported, signature: signed, text }))
}

main().catch(e => { process.stderr.write(String(e.stack || e)); process.exit(1) })
