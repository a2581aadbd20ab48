'use strict';
// A kafkajs 2.x transaction loop: node txn-loop.js <bootstrap> <topic> <transactions> <pause ms>.
// Transaction i writes the records "<i>-0", "<i>-1", "<i>-2" (keys spread them over the topic's partitions), then
// aborts when i % 5 == 4 and commits otherwise. One stdout line per transaction, once its outcome is known:
//   COMMITTED <i>   commit() resolved
//   ABORTED <i>     abort() resolved
//   UNKNOWN <i> <error>   the transaction failed (e.g. its coordinator crashed): it may or may not have committed
// After a failure the producer is dropped and a new one with the same transactional id takes over (InitProducerId
// fences the old epoch and aborts what it left open, unless it was already committing). Ends with "DONE".
// kafkajs logs go to stderr.

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, topic, countArg, pauseArg] = process.argv.slice(2);
if (!bootstrap || !topic || !countArg) {
  console.error('usage: node txn-loop.js <bootstrap> <topic> <transactions> [pause ms]');
  process.exit(2);
}
const count = Number(countArg);
const pause = Number(pauseArg || '0');

const kafka = new Kafka({
  clientId: 'skein-txn-loop',
  brokers: bootstrap.split(','),
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, label, log }) => {
    process.stderr.write(`${label} [${namespace}] ${log.message} ${JSON.stringify(log)}\n`);
  },
  requestTimeout: 5000,
  retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 3000 },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function newProducer() {
  for (;;) {
    const producer = kafka.producer({ transactionalId: 'js-loop', maxInFlightRequests: 1, idempotent: true, transactionTimeout: 10000 });
    try {
      await producer.connect();
      return producer;
    } catch (e) {
      process.stderr.write(`connect failed: ${e.name}: ${e.message}\n`);
      await producer.disconnect().catch(() => {});
      await sleep(500);
    }
  }
}

async function main() {
  let producer = await newProducer();
  for (let i = 0; i < count; i++) {
    const abort = i % 5 === 4;
    let transaction;
    try {
      transaction = await producer.transaction();
      // One send per record: a kafkajs 2.2.4 send() spanning partitions of several leaders keeps the acknowledgements
      // per broker, so after a leader change it re-sends a partition its old leader had acknowledged, under the next
      // sequence number: a duplicate no broker can detect (Kafka appends it too).
      for (const j of [0, 1, 2]) {
        await transaction.send({ topic, messages: [{ key: `k${i}-${j}`, value: `${i}-${j}` }] });
      }
      if (abort) {
        await transaction.abort();
        console.log(`ABORTED ${i}`);
      } else {
        await transaction.commit();
        console.log(`COMMITTED ${i}`);
      }
    } catch (e) {
      console.log(`UNKNOWN ${i} ${e.name}: ${e.message}`);
      await producer.disconnect().catch(() => {});
      producer = await newProducer();
    }
    if (pause > 0) {
      await sleep(pause);
    }
  }
  await producer.disconnect();
  console.log('DONE');
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
