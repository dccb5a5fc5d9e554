#!/usr/bin/env python3
"""librdkafka (confluent-kafka) reference client for the Swift Kafka client's cross-checks.

Subcommands (all print JSON lines on stdout):
  produce BOOTSTRAP TOPIC CODEC COUNT   produce COUNT keyed records with headers and fixed
                                        timestamps; print each delivery report
  consume BOOTSTRAP TOPIC COUNT         read COUNT records from the start of every partition
  partitions BOOTSTRAP TOPIC KEY...     produce one record per key; print key -> partition
  bench BOOTSTRAP TOPIC SIZE COUNT      produce then consume COUNT records of SIZE bytes; print rates
  member BOOTSTRAP TOPIC GROUP STRATEGY SESSION_MS
                                        a classic-protocol group member that prints each assignment
                                        and each record (flushed) before committing it, until killed
"""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition


def record(i):
    key = f"key-{i}".encode()
    value = f"value-{i}-".encode() + bytes(range(i % 50))
    headers = [("h-index", str(i).encode()), ("h-null", None)]
    return key, value, headers, 1_700_000_000_000 + i


def producer(bootstrap, codec="none", extra=None):
    conf = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
            "compression.type": codec, "linger.ms": 5, "partitioner": "murmur2_random"}
    conf.update(extra or {})
    return Producer(conf)


def produce(bootstrap, topic, codec, count):
    p = producer(bootstrap, codec)
    reports = []

    def reporter(headers):
        # Delivery reports carry no headers: describe them from what was sent.
        def on_delivery(err, msg):
            if err is not None:
                raise SystemExit(f"delivery failed: {err}")
            d = describe(msg)
            d["headers"] = [[k, v.hex() if v is not None else None] for k, v in headers]
            reports.append(d)
        return on_delivery

    for i in range(count):
        key, value, headers, ts = record(i)
        p.produce(topic, key=key, value=value, headers=headers, timestamp=ts, on_delivery=reporter(headers))
        p.poll(0)
    if p.flush(30) != 0:
        raise SystemExit("flush timed out")
    for d in reports:
        print(json.dumps(d))


def describe(m):
    return {"partition": m.partition(), "offset": m.offset(),
            "key": m.key().hex() if m.key() is not None else None,
            "value": m.value().hex() if m.value() is not None else None,
            "headers": [[k, v.hex() if v is not None else None] for k, v in (m.headers() or [])],
            "timestamp": m.timestamp()[1]}


def consume(bootstrap, topic, count):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"oracle-{uuid.uuid4()}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    md = c.list_topics(topic, timeout=10)
    parts = sorted(md.topics[topic].partitions)
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    got = []
    deadline = time.time() + 60
    while len(got) < count and time.time() < deadline:
        for m in c.consume(1000, 0.5):
            if m.error() is not None:
                raise SystemExit(f"consume error: {m.error()}")
            got.append(m)
    c.close()
    if len(got) < count:
        raise SystemExit(f"only {len(got)} of {count} records")
    for m in got:
        print(json.dumps(describe(m)))


def partitions(bootstrap, topic, keys):
    p = producer(bootstrap)
    out = {}

    def on_delivery(err, msg):
        if err is not None:
            raise SystemExit(f"delivery failed: {err}")
        out[msg.key().decode()] = msg.partition()

    for k in keys:
        p.produce(topic, key=k.encode(), value=b"x", on_delivery=on_delivery)
    p.flush(30)
    print(json.dumps(out))


def bench_produce(bootstrap, topic, size, count):
    p = producer(bootstrap, "none", {"linger.ms": 10, "batch.size": 1_000_000, "queue.buffering.max.messages": 1_000_000})
    payload = b"x" * size
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        while True:
            try:
                p.produce(topic, key=str(i).encode(), value=payload)
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    if p.flush(120) != 0:
        raise SystemExit("flush timed out")
    print(json.dumps({"records": count, "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}))


def bench_consume(bootstrap, topic, count, timeout_s):
    # check.crcs: librdkafka skips the CRC-32C check by default; the Swift consumer always
    # checks, so the comparison has librdkafka check too.
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4()}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest", "check.crcs": True})
    md = c.list_topics(topic, timeout=10)
    got = 0
    start, cpu = time.perf_counter(), time.process_time()
    c.assign([TopicPartition(topic, p_, 0) for p_ in md.topics[topic].partitions])
    while got < count:
        if time.perf_counter() - start > timeout_s:
            raise SystemExit(f"read {got} of {count} records of {topic} in {timeout_s} s")
        got += sum(1 for m in c.consume(10000, 1.0) if m.error() is None)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    c.close()
    print(json.dumps({"records": got, "seconds": seconds, "cpu_seconds": cpu}))


def member(bootstrap, topic, group, strategy, session_ms):
    # Every record is printed (and flushed) before its offset is committed, so a test that
    # kills this process with SIGKILL knows a superset of what the group has committed.
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "group.protocol": "classic",
                  "partition.assignment.strategy": strategy, "session.timeout.ms": session_ms,
                  "heartbeat.interval.ms": max(100, session_ms // 10), "max.poll.interval.ms": max(10000, session_ms),
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})

    def on_assign(consumer, parts):
        print(json.dumps({"assigned": sorted(p.partition for p in parts)}), flush=True)

    def on_revoke(consumer, parts):
        print(json.dumps({"revoked": sorted(p.partition for p in parts)}), flush=True)

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while True:
        good = [m for m in c.consume(500, 0.2) if m.error() is None]
        for m in good:
            print(json.dumps({"partition": m.partition(), "offset": m.offset(), "value": m.value().decode()}))
        sys.stdout.flush()
        if good:
            try:
                c.commit(asynchronous=False)
            except Exception as e:  # a rebalance in progress: the next owner re-reads these
                print(json.dumps({"commit_error": str(e)}), flush=True)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "produce":
        produce(args[0], args[1], args[2], int(args[3]))
    elif cmd == "consume":
        consume(args[0], args[1], int(args[2]))
    elif cmd == "partitions":
        partitions(args[0], args[1], args[2:])
    elif cmd == "bench-produce":
        bench_produce(args[0], args[1], int(args[2]), int(args[3]))
    elif cmd == "bench-consume":
        bench_consume(args[0], args[1], int(args[2]), float(args[3]))
    elif cmd == "member":
        member(args[0], args[1], args[2], args[3], int(args[4]))
    else:
        raise SystemExit(f"unknown command {cmd}")
