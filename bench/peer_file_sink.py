#!/usr/bin/env python3
"""The peer for bench/e2e_file_sink.sh: the pipeline as many teams hand-write it in Python.

confluent-kafka (Debian's python3-confluent-kafka) consumer in a group, batches of 500, each value
parsed with json.loads and written back with json.dumps, one line per record, the file flushed and
the batch's offsets committed synchronously after each batch (so it is at-least-once, like sluice).
Prints: records/s (from the first record to the last), CPU microseconds per record, peak RSS KiB.
"""
import json
import resource
import sys
import time

from confluent_kafka import Consumer


def main():
    bootstrap, topic, total, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-peer",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    n = 0
    t_first = None
    cpu_first = None
    with open(path, "w") as out:
        while n < total:
            msgs = c.consume(num_messages=500, timeout=1.0)
            if not msgs:
                continue
            if t_first is None:
                t_first = time.monotonic()
                cpu_first = time.process_time()
            for m in msgs:
                if m.error():
                    continue
                out.write(json.dumps(json.loads(m.value())) + "\n")
                n += 1
            out.flush()
            c.commit(asynchronous=False)
    dt = time.monotonic() - t_first
    cpu = time.process_time() - cpu_first
    c.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(int(n / dt), round(cpu * 1e6 / n, 2), rss)


if __name__ == "__main__":
    main()
