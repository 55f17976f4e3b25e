#!/usr/bin/python3
"""fake_admin_broker.py — test-only Kafka broker stand-in for it_internal_topics.sh.

sluice-mock-kafka has no CreateTopics and no DescribeConfigs, so this speaks just enough of the
Kafka protocol (written from Kafka's message schemas, non-flexible versions only) to check how
sl_internal_topics_ensure creates and checks topics: ApiVersions (v0, v3), Metadata (v1),
CreateTopics (v0-v4, -1 = broker default), DescribeConfigs (v0). One broker (node 1) that is its own controller.

  --topic NAME:PARTITIONS[:CLEANUP_POLICY]   a topic that exists (policy default "compact")
  --create-error CODE                        answer every CreateTopics topic with this error
  --no-describe                              do not advertise DescribeConfigs

Prints the listening port as its first stdout line, then one line per CreateTopics topic:
"create NAME PARTITIONS RF k=v,k=v" (configs sorted). Never use it as a broker: no produce, no
fetch, nothing persisted.
"""
import argparse
import socket
import struct
import sys
import threading

LOCK = threading.Lock()
TOPICS = {}  # name -> (partitions, cleanup.policy)


def out(msg):
    with LOCK:
        sys.stdout.write(msg + "\n")
        sys.stdout.flush()


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, n):
        if self.o + n > len(self.d):
            raise ValueError("truncated request")
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def string(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()


def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def s(x):
    if x is None:
        return i16(-1)
    b = x.encode()
    return i16(len(b)) + b


def arr(items):
    return i32(len(items)) + b"".join(items)


class Conn:
    def __init__(self, sock, args, port):
        self.sock, self.args, self.port = sock, args, port

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def serve(self):
        try:
            while True:
                size = struct.unpack(">i", self.recv_exact(4))[0]
                r = Reader(self.recv_exact(size))
                key, ver, corr = r.i16(), r.i16(), r.i32()
                r.string()  # client id
                if key == 18 and ver >= 3:
                    r.take(1)  # request header v2 tagged fields (none)
                handler = getattr(self, "api_%d" % key, None)
                if handler is None:
                    return  # like a broker without the API: drop the connection
                body = handler(r, ver)
                resp = i32(corr) + body
                self.sock.sendall(i32(len(resp)) + resp)
        except (EOFError, ConnectionError, ValueError):
            pass
        finally:
            self.sock.close()

    def api_18(self, r, ver):  # ApiVersions
        apis = [(18, 0, 3), (3, 1, 1), (19, 0, 4)]
        if not self.args.no_describe:
            apis.append((32, 0, 0))
        if ver >= 3:
            def uv(n):
                return bytes([n])  # small counts only
            body = i16(0) + uv(len(apis) + 1)
            for k, lo, hi in apis:
                body += i16(k) + i16(lo) + i16(hi) + b"\x00"
            return body + i32(0) + b"\x00"
        return i16(0) + arr([i16(k) + i16(lo) + i16(hi) for k, lo, hi in apis])

    def api_3(self, r, ver):  # Metadata v1
        n = r.i32()
        names = None if n < 0 else [r.string() for _ in range(n)]
        with LOCK:
            listed = sorted(TOPICS) if names is None else names
            topics = []
            for name in listed:
                if name not in TOPICS:
                    topics.append(i16(3) + s(name) + i8(0) + arr([]))  # UNKNOWN_TOPIC
                    continue
                parts = [i16(0) + i32(p) + i32(1) + arr([i32(1)]) + arr([i32(1)])
                         for p in range(TOPICS[name][0])]
                topics.append(i16(0) + s(name) + i8(0) + arr(parts))
        brokers = arr([i32(1) + s("127.0.0.1") + i32(self.port) + s(None)])
        return brokers + i32(1) + arr(topics)

    def api_19(self, r, ver):  # CreateTopics v0-v4 (non-flexible)
        results = []
        for _ in range(r.i32()):
            name, parts, rf = r.string(), r.i32(), r.i16()
            for _ in range(r.i32()):  # assignments
                r.i32()
                for _ in range(r.i32()):
                    r.i32()
            configs = {}
            for _ in range(r.i32()):
                k = r.string()
                configs[k] = r.string()
            out("create %s %d %d %s" % (name, parts, rf,
                                        ",".join("%s=%s" % kv for kv in sorted(configs.items()))))
            err = self.args.create_error
            with LOCK:
                if err == 0 and name in TOPICS:
                    err = 36  # TOPIC_ALREADY_EXISTS
                if err == 0:
                    TOPICS[name] = (parts if parts > 0 else 3,  # broker default: 3
                                    configs.get("cleanup.policy", "delete"))
            results.append(s(name) + i16(err) + (s("refused by the test") if ver >= 1 else b""))
        r.i32()  # timeout
        return (i32(0) if ver >= 2 else b"") + arr(results)

    def api_32(self, r, ver):  # DescribeConfigs v0
        results = []
        for _ in range(r.i32()):
            rtype, name = r.i8(), r.string()
            n = r.i32()
            for _ in range(max(n, 0)):
                r.string()
            with LOCK:
                t = TOPICS.get(name)
            if t is None:
                results.append(i16(3) + s("unknown topic") + i8(rtype) + s(name) + arr([]))
                continue
            entry = s("cleanup.policy") + s(t[1]) + i8(0) + i8(0) + i8(0)
            results.append(i16(0) + s(None) + i8(rtype) + s(name) + arr([entry]))
        return i32(0) + arr(results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topic", action="append", default=[])
    ap.add_argument("--create-error", type=int, default=0)
    ap.add_argument("--no-describe", action="store_true")
    args = ap.parse_args()
    for t in args.topic:
        parts = t.split(":")
        TOPICS[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "compact")
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port = srv.getsockname()[1]
    out(str(port))
    while True:
        c, _ = srv.accept()
        threading.Thread(target=Conn(c, args, port).serve, daemon=True).start()


if __name__ == "__main__":
    main()
