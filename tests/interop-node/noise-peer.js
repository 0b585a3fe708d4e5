// One side of a Noise handshake and transport run with npm noise-protocol 3.0.2 (what the MyCHIPs
// JavaScript peer uses), driven line by line over stdin/stdout by the .NET interoperability tests.
// Usage: node noise-peer.js PATTERN initiator|responder LOCAL_SECRET_HEX|- REMOTE_PUBLIC_HEX|-
// Each input line is a JSON command; each answer is one JSON line:
//   {"op":"write","payload":HEX}        -> {"message":HEX,"done":bool}
//   {"op":"read","message":HEX}         -> {"payload":HEX,"done":bool}
//   {"op":"encrypt","plaintext":HEX}    -> {"ciphertext":HEX}        (after the handshake)
//   {"op":"decrypt","ciphertext":HEX}   -> {"plaintext":HEX} or {"error":TEXT}
const readline = require('readline');
const sodium = require('sodium-native');
const noise = require('noise-protocol');
const cipher = require('noise-protocol/cipher')();
const cipherState = require('noise-protocol/cipher-state')({ cipher });

const [pattern, role, localSecret, remotePublic] = process.argv.slice(2);
let staticKeys = null;
if (localSecret !== '-') {
  const secretKey = Buffer.from(localSecret, 'hex');
  const publicKey = Buffer.alloc(32);
  sodium.crypto_scalarmult_base(publicKey, secretKey);
  staticKeys = { publicKey, secretKey };
}
const remote = remotePublic === '-' ? null : Buffer.from(remotePublic, 'hex');
const state = noise.initialize(pattern, role === 'initiator', Buffer.alloc(0), staticKeys, null, remote);
let split = null;

function handle(command) {
  switch (command.op) {
    case 'write': {
      const payload = Buffer.from(command.payload, 'hex');
      const out = Buffer.alloc(payload.length + 256);
      const result = noise.writeMessage(state, payload, out);
      if (result) split = result;
      return { message: out.subarray(0, noise.writeMessage.bytes).toString('hex'), done: !!result };
    }
    case 'read': {
      const message = Buffer.from(command.message, 'hex');
      const out = Buffer.alloc(message.length);
      const result = noise.readMessage(state, message, out);
      if (result) split = result;
      return { payload: out.subarray(0, noise.readMessage.bytes).toString('hex'), done: !!result };
    }
    case 'encrypt': {
      const plaintext = Buffer.from(command.plaintext, 'hex');
      const out = Buffer.alloc(plaintext.length + 16);
      cipherState.encryptWithAd(split.tx, out, Buffer.alloc(0), plaintext);
      return { ciphertext: out.subarray(0, cipherState.encryptWithAd.bytesWritten).toString('hex') };
    }
    case 'decrypt': {
      const ciphertext = Buffer.from(command.ciphertext, 'hex');
      const out = Buffer.alloc(Math.max(ciphertext.length - 16, 0));
      try {
        cipherState.decryptWithAd(split.rx, out, Buffer.alloc(0), ciphertext);
      } catch (e) {
        return { error: String(e.message || e) };
      }
      return { plaintext: out.subarray(0, cipherState.decryptWithAd.bytesWritten).toString('hex') };
    }
    default:
      return { error: `unknown op ${command.op}` };
  }
}

readline.createInterface({ input: process.stdin }).on('line', line => {
  let answer;
  try {
    answer = handle(JSON.parse(line));
  } catch (e) {
    answer = { error: String(e.message || e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
