"""Checks a distributed CryptoViz run end to end with reference clients.

Reads every message of the raw topic with librdkafka (confluent-kafka) — what the collector
published — and the lake with delta-rs and DuckDB, and compares them by event identity
(`source|asset|source_time_ms`). Also reads the processors' committed offsets for the lag.

Usage: cluster_check.py BOOTSTRAP GROUP [TABLE]   (TABLE: s3://bucket/prefix; CRYPTOVIZ_S3_ENDPOINT)
Without TABLE only the topic and the group's offsets are read.
Prints one JSON object:
  {"topic": {"messages": N, "events": E, "malformed": M},
   "deltalake": {"rows": R, "events": E, "missing": [...first 10], "missing_count": n, "extra_count": n},
   "duckdb": {"rows": R, "events": E},
   "lag": {"0": {"committed": C, "end": last offset read + 1, "reported_end": high watermark}, ...}}
"""
import json
import os
import sys

from confluent_kafka import Consumer, TopicPartition

TOPIC = "crypto-raw-data"


def topic_events(bootstrap):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "cluster-check-reader",
                         "enable.auto.commit": False})
    metadata = consumer.list_topics(TOPIC, timeout=10)
    partitions = sorted(metadata.topics[TOPIC].partitions)
    ends = {}
    assignment = []
    for p in partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10)
        ends[p] = high
        if high > low:
            assignment.append(TopicPartition(TOPIC, p, low))
    consumer.assign(assignment)
    # Read until the topic stays quiet: the broker's reported high watermark can lag the last
    # record (seen with tansu), so the last offset read is the end that counts.
    ids, messages, malformed, last = set(), 0, 0, {}
    idle = 0
    while idle < 15:
        batch = consumer.consume(num_messages=5000, timeout=0.2)
        if not batch:
            idle += 1
            continue
        idle = 0
        for message in batch:
            if message.error():
                continue
            messages += 1
            last[message.partition()] = max(last.get(message.partition(), -1), message.offset())
            try:
                tick = json.loads(message.value())["tick"]
                ids.add(f'{tick["source"]}|{tick["asset"]}|{tick["source_time_ms"]}')
            except (ValueError, KeyError, TypeError):
                malformed += 1
    consumer.close()
    read_ends = {p: last.get(p, -1) + 1 for p in partitions}
    return ids, messages, malformed, ends, read_ends


def committed_offsets(bootstrap, group, partitions):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    result = consumer.committed([TopicPartition(TOPIC, p) for p in partitions], timeout=10)
    consumer.close()
    return {tp.partition: tp.offset for tp in result}


def storage_options():
    return {"AWS_ENDPOINT_URL": os.environ["CRYPTOVIZ_S3_ENDPOINT"], "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}


def lake_events_deltalake(table):
    from deltalake import DeltaTable
    dt = DeltaTable(table, storage_options=storage_options())
    return dt.to_pyarrow_table(columns=["event_id"]).column("event_id").to_pylist()


def lake_counts_duckdb(table):
    import duckdb
    con = duckdb.connect()
    site = os.environ["CRYPTOVIZ_DUCKDB_EXTENSIONS"]
    con.execute(f"LOAD '{site}/duckdb_extension_delta/extensions/v1.5.5/delta.duckdb_extension'")
    con.execute(f"LOAD '{site}/duckdb_extension_httpfs/extensions/v1.5.5/httpfs.duckdb_extension'")
    endpoint = os.environ["CRYPTOVIZ_S3_ENDPOINT"].replace("http://", "")
    con.execute(f"CREATE SECRET (TYPE s3, KEY_ID 'test', SECRET 'test', REGION 'us-east-1', "
                f"ENDPOINT '{endpoint}', URL_STYLE 'path', USE_SSL false)")
    rows, events = con.execute(f"SELECT count(*), count(DISTINCT event_id) FROM delta_scan('{table}')").fetchone()
    return rows, events


def main():
    bootstrap, group = sys.argv[1:3]
    table = sys.argv[3] if len(sys.argv) > 3 else None
    published, messages, malformed, ends, read_ends = topic_events(bootstrap)
    committed = committed_offsets(bootstrap, group, sorted(ends))
    report = {
        "topic": {"messages": messages, "events": len(published), "malformed": malformed},
        "lag": {str(p): {"committed": committed.get(p), "end": read_ends[p], "reported_end": ends[p]} for p in sorted(ends)},
    }
    if table:
        lake = lake_events_deltalake(table)
        lake_ids = set(lake)
        missing = sorted(published - lake_ids)
        report["deltalake"] = {"rows": len(lake), "events": len(lake_ids), "missing_count": len(missing),
                               "missing": missing[:10], "extra_count": len(lake_ids - published)}
        duck_rows, duck_events = lake_counts_duckdb(table)
        report["duckdb"] = {"rows": duck_rows, "events": duck_events}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
