#!/usr/bin/python3
"""peer_clickhouse.py — the Python peer of the ClickHouse sink bench: the same pipeline written by
hand with confluent-kafka and clickhouse-driver (native protocol, batched inserts). It consumes a
Debezium JSON topic (with or without schemas) from the beginning, unwraps each envelope (after
image for c/r/u, before image with the deleted flag for d, Kafka tombstones skipped), and inserts
(id, name, description, weight, _version, _is_deleted) into TABLE in batches of 10000 rows.
Prints "<rows/s> <CPU us per row> <peak RSS KiB>", clocked from the first record to the last
insert acknowledged.

usage: peer_clickhouse.py BOOTSTRAP TOPIC COUNT CH_HOST CH_TCP_PORT TABLE
"""
import json
import resource
import sys
import time

from clickhouse_driver import Client
from confluent_kafka import Consumer

BATCH = 10000


def main():
    bootstrap, topic, count, host, port, table = sys.argv[1:7]
    count = int(count)
    client = Client(host=host, port=int(port))
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "peer-%s-%d" % (topic, time.time()),
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
    })
    consumer.subscribe([topic])
    sql = "INSERT INTO %s (id, name, description, weight, _version, _is_deleted) VALUES" % table
    rows, seen, t0, cpu0 = [], 0, None, None
    while seen < count:
        msgs = consumer.consume(num_messages=1000, timeout=1.0)
        for m in msgs:
            if m.error():
                continue
            if t0 is None:
                t0 = time.monotonic()
                cpu0 = time.process_time()
            seen += 1
            raw = m.value()
            if raw is None:
                continue
            v = json.loads(raw)
            if "schema" in v and "payload" in v:
                v = v["payload"]
            op = v.get("op")
            if op == "d":
                row, deleted = v["before"], 1
            else:
                row, deleted = v["after"], 0
            lsn = v.get("source", {}).get("lsn") or m.offset()
            rows.append((row["id"], row["name"], row.get("description"), row.get("weight"),
                         lsn, deleted))
            if len(rows) >= BATCH:
                client.execute(sql, rows)
                rows = []
    if rows:
        client.execute(sql, rows)
    consumer.commit(asynchronous=False)
    dt = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    consumer.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(int(seen / dt), round(cpu * 1e6 / seen, 2), rss)


if __name__ == "__main__":
    main()
