'use strict'
// JavaScript-to-JavaScript baseline figures for the benchmarks: two peer.js processes on loopback.
// usage: node baseline.js [encrypted|raw] [messages]
// Prints N+KK connection setups per second (sequential: open, then close, each driven over the
// peers' stdio, so this is a lower bound) and T messages per second for 250-byte JSON messages on
// one connection (the initiator sends them with "repeat"; timed until the responder has them all).
const { spawn } = require('child_process')
const readline = require('readline')

function start (args) {
  const child = spawn(process.execPath, [require.resolve('./peer.js'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const events = []
  let waiters = []
  readline.createInterface({ input: child.stdout }).on('line', line => {
    const e = JSON.parse(line)
    events.push(e)
    waiters = waiters.filter(w => !(w.match(e) && (w.resolve(e), true)))
  })
  return {
    events,
    send: command => child.stdin.write(JSON.stringify(command) + '\n'),
    next: match => new Promise(resolve => waiters.push({ match, resolve })),
    end: () => child.stdin.end()
  }
}

async function main () {
  const mode = process.argv[2] || 'encrypted'
  const messages = Number(process.argv[3] || 50000)
  const setups = 200
  const responder = start(['--listen', '0', '--mode', mode, '--quiet'])
  const ready = await responder.next(e => e.event === 'ready')
  const initiator = start(['--connect', `127.0.0.1:${ready.port}`, '--peer', ready.agent, '--mode', mode, '--quiet'])
  await initiator.next(e => e.event === 'ready')

  let started = process.hrtime.bigint()
  for (let i = 0; i < setups; i++) {
    const opened = initiator.next(e => e.event === 'open')
    initiator.send({ send: { n: i } })
    await opened
    const closed = initiator.next(e => e.event === 'closed')
    initiator.send({ close: ready.agent })
    await closed
  }
  const setupSeconds = seconds(started)

  const opened = initiator.next(e => e.event === 'open')
  initiator.send({ send: { n: -1 } })
  await opened
  const total = setups + 1 + messages
  const done = responder.next(e => e.event === 'reached' && e.received === total)
  const message = { payload: 'p'.repeat(236) } // 250 bytes of JSON
  started = process.hrtime.bigint()
  initiator.send({ send: message, repeat: messages })
  responder.send({ notify: { received: total } })
  await done
  const messageSeconds = seconds(started)

  console.log(`mode ${mode}: N+KK setups/s (sequential, stdio-driven) ${Math.round(setups / setupSeconds)}; ` +
    `T messages/s (250-byte JSON, one connection) ${Math.round(messages / messageSeconds)}`)
  initiator.end()
  responder.end()
}

function seconds (since) {
  return Number(process.hrtime.bigint() - since) / 1e9
}

main()
