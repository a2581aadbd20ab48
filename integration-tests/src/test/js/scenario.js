'use strict';
// kafkajs 2.x scenarios against a broker: node scenario.js <bootstrap>.
// Prints one JSON object on stdout with what each scenario observed; KafkajsIT asserts on it.
// Diagnostics (kafkajs logs) go to stderr. Every wait is bounded by withTimeout().

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const bootstrap = process.argv[2];
if (!bootstrap) {
  console.error('usage: node scenario.js <host:port>');
  process.exit(2);
}

const kafka = new Kafka({
  clientId: 'skein-compat-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, label, log }) => {
    process.stderr.write(`${label} [${namespace}] ${log.message} ${JSON.stringify(log)}\n`);
  },
  retry: { retries: 8, initialRetryTime: 100 },
});

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves once check() returns true, polling every 50 ms, rejecting after ms.
function until(check, ms, what) {
  return withTimeout(new Promise((resolve) => {
    const tick = () => (check() ? resolve() : setTimeout(tick, 50));
    tick();
  }), ms, what);
}

const WAIT = 30000;
// kafkajs heartbeats between fetches: a short long-poll keeps rebalances and disconnects quick (default 5 s)
const MAX_WAIT = 300;

async function adminScenario() {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic: 'js-admin', numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
      waitForLeaders: true,
    });
    const createdAgain = await admin.createTopics({ topics: [{ topic: 'js-admin', numPartitions: 3 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['js-admin'] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'js-admin', messages: [0, 1, 2, 3, 4].map((i) => ({ partition: i % 3, value: `v${i}` })) });
    await producer.disconnect();
    const topicOffsets = await admin.fetchTopicOffsets('js-admin');
    await admin.setOffsets({ groupId: 'js-admin-group', topic: 'js-admin', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '2' }] });
    const groupOffsets = await admin.fetchOffsets({ groupId: 'js-admin-group', topics: ['js-admin'] });
    const groups = await admin.listGroups();
    await admin.deleteTopics({ topics: ['js-admin'], timeout: WAIT });
    const topicsAfterDelete = await admin.listTopics();
    return {
      created,
      createdAgain,
      partitions: metadata.topics[0].partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition),
      topicOffsets: topicOffsets.map((p) => ({ partition: p.partition, high: p.high, low: p.low })).sort((a, b) => a.partition - b.partition),
      groupOffsets: groupOffsets[0].partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
      groupListed: groups.groups.some((g) => g.groupId === 'js-admin-group'),
      deleted: !topicsAfterDelete.includes('js-admin'),
    };
  } finally {
    await admin.disconnect();
  }
}

// Admin calls beyond the basics; each records its outcome so one failure does not hide the others.
async function adminMoreScenario() {
  const topic = 'js-admin-more';
  const admin = kafka.admin();
  await admin.connect();
  const outcome = {};
  const attempt = async (name, call) => {
    try {
      outcome[name] = { ok: true, value: await call() };
    } catch (e) {
      outcome[name] = { ok: false, error: `${e.name}: ${e.message}`, type: e.type };
    }
  };
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 3600000;
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, timestamp: `${base + i * 1000}` })) });
    await producer.disconnect();
    await attempt('describeCluster', async () => {
      const cluster = await admin.describeCluster();
      return { brokers: cluster.brokers.length, controller: cluster.controller, clusterIdSet: !!cluster.clusterId };
    });
    await attempt('describeConfigs', async () => {
      const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }] });
      return res.resources[0].configEntries.map((e) => ({ name: e.configName, value: e.configValue })).sort((a, b) => a.name.localeCompare(b.name));
    });
    await attempt('alterConfigs', async () => {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
      const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['retention.ms'] }] });
      return res.resources[0].configEntries[0].configValue;
    });
    await attempt('createPartitions', async () => {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0].partitions.length;
    });
    await attempt('fetchTopicOffsetsByTimestamp', async () => {
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, base + 4500);
      return offsets.filter((o) => o.partition === 0).map((o) => o.offset)[0];
    });
    await attempt('resetOffsets', async () => {
      await admin.setOffsets({ groupId: 'js-more-group', topic, partitions: [{ partition: 0, offset: '8' }] });
      await admin.resetOffsets({ groupId: 'js-more-group', topic, earliest: true });
      // kafkajs commits the earliest marker (-2) itself; resolveOffsets turns it into the log start offset
      const offsets = await admin.fetchOffsets({ groupId: 'js-more-group', topics: [topic], resolveOffsets: true });
      return offsets[0].partitions.filter((p) => p.partition === 0)[0].offset;
    });
    await attempt('describeGroups', async () => {
      const res = await admin.describeGroups(['js-more-group']);
      return { state: res.groups[0].state, members: res.groups[0].members.length };
    });
    await attempt('deleteGroups', async () => {
      const res = await admin.deleteGroups(['js-more-group']);
      const groups = await admin.listGroups();
      return { errorCode: res[0].errorCode, stillListed: groups.groups.some((g) => g.groupId === 'js-more-group') };
    });
    await attempt('deleteTopicRecords', async () => {
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '5' }] });
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.filter((o) => o.partition === 0)[0].low;
    });
  } finally {
    await admin.disconnect();
  }
  return outcome;
}

async function readAll(topic, count, groupId) {
  const consumer = kafka.consumer({ groupId, heartbeatInterval: 500, maxWaitTimeInMs: MAX_WAIT });
  const values = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { values.push(message.value.toString()); } });
    await until(() => values.length >= count, WAIT, `${count} records from ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function producerScenario() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'js-produce', numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const results = {};
  try {
    for (const [name, acks, compression] of [['acksAll', -1, CompressionTypes.None], ['acksOne', 1, CompressionTypes.None],
      ['acksAllGzip', -1, CompressionTypes.GZIP], ['acksOneGzip', 1, CompressionTypes.GZIP]]) {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `${name}-k${i}`, value: `${name}-${i}`, headers: { scenario: name } }));
      const metadata = await producer.send({ topic: 'js-produce', acks, compression, messages });
      results[name] = metadata.map((m) => ({ partition: m.partition, errorCode: m.errorCode, baseOffset: m.baseOffset }));
    }
  } finally {
    await producer.disconnect();
  }
  const values = await readAll('js-produce', 200, 'js-produce-reader');
  return { sends: results, values };
}

async function groupScenario() {
  const topic = 'js-group';
  const groupId = 'js-group-members';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();

  const received = { a: [], b: [] };
  const assignments = { a: [], b: [] };
  const consumers = {};
  const start = async (name) => {
    const consumer = kafka.consumer({ groupId, heartbeatInterval: 300, sessionTimeout: 10000, rebalanceTimeout: 10000, maxWaitTimeInMs: MAX_WAIT });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assignments[name].push({ partitions: (e.payload.memberAssignment[topic] || []).slice().sort() });
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received[name].push({ partition, offset: message.offset, value: message.value.toString() });
      },
    });
    consumers[name] = consumer;
  };
  const current = (name) => (assignments[name].length ? assignments[name][assignments[name].length - 1].partitions : []);
  const produce = async (round) => {
    const messages = Array.from({ length: 100 }, (_, i) => ({ partition: i % 4, value: `${round}-p${i % 4}-${i}` }));
    await producer.send({ topic, acks: -1, messages });
    return messages.map((m) => m.value);
  };
  try {
    await start('a');
    await until(() => current('a').length === 4, WAIT, 'a owns all partitions');
    await start('b');
    await until(() => current('a').length + current('b').length === 4 && current('b').length > 0 && current('a').length > 0,
      WAIT, 'a and b split the partitions');
    const split = { a: current('a'), b: current('b') };
    const round1 = await produce('round1');
    const seen = (round) => received.a.concat(received.b).filter((r) => r.value.startsWith(round));
    await until(() => seen('round1').length >= round1.length, WAIT, 'round1 consumed');
    await consumers.b.disconnect();
    await until(() => current('a').length === 4 && assignments.a.length >= 3, WAIT, 'a owns all partitions again');
    const round2 = await produce('round2');
    await until(() => seen('round2').length >= round2.length, WAIT, 'round2 consumed');
    await consumers.a.disconnect();
    const description = await admin.describeGroups([groupId]);
    return {
      split,
      afterLeave: current('a'),
      joinsOfA: assignments.a.length,
      round1: { produced: round1.length, byA: received.a.filter((r) => r.value.startsWith('round1')), byB: received.b.filter((r) => r.value.startsWith('round1')) },
      round2: { produced: round2.length, byA: received.a.filter((r) => r.value.startsWith('round2')).length, byB: received.b.filter((r) => r.value.startsWith('round2')).length },
      stateAfterAllLeft: description.groups[0].state,
    };
  } finally {
    await Promise.all(Object.values(consumers).map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  }
}

async function batchSeekCommitScenario() {
  const topic = 'js-batch';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  for (let chunk = 0; chunk < 5; chunk++) {
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ value: `b${chunk * 100 + i}` })) });
  }
  await producer.disconnect();

  // eachBatch resolving offsets itself; commitOffsetsIfNecessary commits them (autoCommit on, no interval)
  const batchConsumer = kafka.consumer({ groupId: 'js-batch-group', heartbeatInterval: 500, maxWaitTimeInMs: MAX_WAIT });
  const batches = [];
  const values = [];
  await batchConsumer.connect();
  await batchConsumer.subscribe({ topic, fromBeginning: true });
  await batchConsumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      batches.push({ firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), size: batch.messages.length });
      for (const message of batch.messages) {
        values.push(message.value.toString());
        resolveOffset(message.offset);
      }
      await heartbeat();
      await commitOffsetsIfNecessary();
    },
  });
  await until(() => values.length >= 500, WAIT, 'eachBatch read 500');
  await batchConsumer.disconnect();
  const afterBatch = await admin.fetchOffsets({ groupId: 'js-batch-group', topics: [topic] });

  // seek to an absolute offset, then commitOffsets explicitly
  const seekConsumer = kafka.consumer({ groupId: 'js-seek-group', heartbeatInterval: 500, maxWaitTimeInMs: MAX_WAIT });
  const sought = [];
  let seekDone = false;
  await seekConsumer.connect();
  await seekConsumer.subscribe({ topic, fromBeginning: true });
  seekConsumer.on(seekConsumer.events.GROUP_JOIN, () => {
    if (!seekDone) {
      seekDone = true;
      seekConsumer.seek({ topic, partition: 0, offset: '490' });
    }
  });
  await seekConsumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => { sought.push({ offset: message.offset, value: message.value.toString() }); },
  });
  await until(() => sought.some((r) => r.offset === '499'), WAIT, 'seek read to the end');
  await seekConsumer.commitOffsets([{ topic, partition: 0, offset: '495' }]);
  await seekConsumer.disconnect();
  const afterCommit = await admin.fetchOffsets({ groupId: 'js-seek-group', topics: [topic] });
  await admin.disconnect();
  return {
    batches,
    values,
    committedAfterBatch: afterBatch[0].partitions[0].offset,
    sought,
    committedAfterCommitOffsets: afterCommit[0].partitions[0].offset,
  };
}

// Transactions: two committed transactions and an aborted one between them, each with output records and the input
// offsets of a consumer group (sendOffsets: AddOffsetsToTxn + TxnOffsetCommit). read_committed (kafkajs' default)
// sees only the committed output; readUncommitted sees all of it; the group's offset is the last committed one.
async function transactionsScenario() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'js-txn-in', numPartitions: 1 }, { topic: 'js-txn-out', numPartitions: 1 }], waitForLeaders: true });
  const plain = kafka.producer();
  await plain.connect();
  await plain.send({ topic: 'js-txn-in', messages: Array.from({ length: 10 }, (_, i) => ({ value: `in-${i}` })) });
  await plain.disconnect();
  const producer = kafka.producer({ transactionalId: 'js-txn', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const steps = [['c', 0, '5', 'commit'], ['a', 0, '10', 'abort'], ['c', 5, '10', 'commit']];
  try {
    for (const [prefix, from, offset, end] of steps) {
      const transaction = await producer.transaction();
      await transaction.send({ topic: 'js-txn-out', messages: Array.from({ length: 5 }, (_, i) => ({ value: `${prefix}${from + i}` })) });
      await transaction.sendOffsets({ consumerGroupId: 'js-txn-group', topics: [{ topic: 'js-txn-in', partitions: [{ partition: 0, offset }] }] });
      await (end === 'commit' ? transaction.commit() : transaction.abort());
    }
  } finally {
    await producer.disconnect();
  }
  const committed = await readAll('js-txn-out', 10, 'js-txn-reader');
  const uncommitted = [];
  const consumer = kafka.consumer({ groupId: 'js-txn-uncommitted', readUncommitted: true, heartbeatInterval: 500, maxWaitTimeInMs: MAX_WAIT });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: 'js-txn-out', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { uncommitted.push(message.value.toString()); } });
    await until(() => uncommitted.length >= 15, WAIT, '15 records read uncommitted');
  } finally {
    await consumer.disconnect();
  }
  const offsets = await admin.fetchOffsets({ groupId: 'js-txn-group', topics: ['js-txn-in'] });
  await admin.disconnect();
  return { committed, uncommitted, groupOffset: offsets[0].partitions[0].offset };
}

async function main() {
  const result = {};
  for (const [name, scenario] of [['admin', adminScenario], ['adminMore', adminMoreScenario], ['producer', producerScenario], ['group', groupScenario],
    ['batchSeekCommit', batchSeekCommitScenario], ['transactions', transactionsScenario]]) {
    const started = Date.now();
    try {
      result[name] = await withTimeout(scenario(), 90000, name);
    } catch (e) {
      result[name] = { error: `${e.name}: ${e.message}`, stack: e.stack };
    }
    process.stderr.write(`scenario ${name}: ${Date.now() - started} ms\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
