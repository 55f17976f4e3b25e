#!/usr/bin/env python3
# group_probe.py: checks, over the raw Kafka protocol, that a broker runs the *generic* group
# protocol (the one Kafka Connect's distributed mode uses: protocol type "connect", opaque member
# metadata and assignments) and reports how it answers admin APIs that Connect may call.
# It is a probe for tests and docs/mock-kafka.md, never a Kafka client library: no retries, no
# flexible (tagged-field) versions, only the v0 request shapes it needs.
#
# usage: group_probe.py BOOTSTRAP generic GROUP [LEADER_DELAY_S]
#                                 -> two members join and sync; prints "ok ..." or "error: ..."
#        group_probe.py BOOTSTRAP api KEY VERSION -> prints "response", "closed" or "timeout"
import socket
import struct
import sys
import threading
import time

LEADER_SYNC_DELAY = float(sys.argv[4]) if len(sys.argv) == 5 and sys.argv[2] == 'generic' \
    else 0.5


def s16(v):
    return struct.pack(">h", v)


def s32(v):
    return struct.pack(">i", v)


def kstr(s):
    b = s.encode()
    return s16(len(b)) + b


def kbytes(b):
    return s32(len(b)) + b


class Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, n):
        out = self.buf[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("short response")
        self.pos += n
        return out

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def str(self):
        n = self.i16()
        return None if n < 0 else self.take(n).decode()

    def bytes(self):
        n = self.i32()
        return None if n < 0 else self.take(n)


class Conn:
    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.corr = 0

    def request(self, key, version, body):
        """Sends one request (header v1) and returns a Reader on the response body."""
        self.corr += 1
        msg = s16(key) + s16(version) + s32(self.corr) + kstr("group-probe") + body
        self.sock.sendall(s32(len(msg)) + msg)
        size = struct.unpack(">i", self.recv(4))[0]
        r = Reader(self.recv(size))
        if r.i32() != self.corr:
            raise ValueError("correlation id mismatch")
        return r

    def recv(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError("connection closed by broker")
            out += chunk
        return out


def coordinator(bootstrap, group):
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    r = Conn(host, port).request(10, 0, kstr(group))  # FindCoordinator v0
    err, _node, chost, cport = r.i16(), r.i32(), r.str(), r.i32()
    if err != 0:
        raise RuntimeError("FindCoordinator error %d" % err)
    return chost, cport


def member(host, port, group, name, results):
    """One Connect-style member: JoinGroup then SyncGroup; the leader assigns every member."""
    try:
        c = Conn(host, port)
        meta = ("metadata-of-" + name).encode()
        body = kstr(group) + s32(10000) + kstr("") + kstr("connect") + s32(1) + kstr("sessioned") \
            + kbytes(meta)
        r = c.request(11, 0, body)  # JoinGroup v0
        err, gen, proto, leader, me = r.i16(), r.i32(), r.str(), r.str(), r.str()
        if err != 0:
            raise RuntimeError("JoinGroup error %d" % err)
        members = [(r.str(), r.bytes()) for _ in range(r.i32())]
        assigns = b""
        if me == leader:
            # librdkafka 2.0.2's mock answers a follower's SyncGroup that arrives after the
            # leader's with an error (see docs/mock-kafka.md), so the leader waits like a real
            # one computing an assignment would.
            time.sleep(LEADER_SYNC_DELAY)
            assigns = s32(len(members)) + b"".join(
                kstr(mid) + kbytes(b"assigned:" + m) for mid, m in members)
        else:
            assigns = s32(0)
        r = c.request(14, 0, kstr(group) + s32(gen) + kstr(me) + assigns)  # SyncGroup v0
        err, assignment = r.i16(), r.bytes()
        if err != 0:
            raise RuntimeError("SyncGroup error %d (leader=%s, members=%d)"
                               % (err, me == leader, len(members)))
        results[name] = dict(gen=gen, proto=proto, leader=(me == leader), nmembers=len(members),
                             assignment=assignment)
    except Exception as e:  # reported by the caller
        results[name] = e


def probe_generic(bootstrap, group):
    host, port = coordinator(bootstrap, group)
    results = {}
    threads = [threading.Thread(target=member, args=(host, port, group, n, results))
               for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for n in ("a", "b"):
        res = results.get(n)
        if not isinstance(res, dict):
            print("error: member %s: %s" % (n, res))
            return 1
        if res["assignment"] != b"assigned:metadata-of-" + n.encode():
            print("error: member %s got assignment %r" % (n, res["assignment"]))
            return 1
        if res["proto"] != "sessioned":
            print("error: member %s got protocol %r" % (n, res["proto"]))
            return 1
    leaders = [n for n in ("a", "b") if results[n]["leader"]]
    gens = {results[n]["gen"] for n in ("a", "b")}
    if len(leaders) != 1 or len(gens) != 1 or results[leaders[0]]["nmembers"] != 2:
        print("error: inconsistent group: %r" % results)
        return 1
    print("ok generation=%d leader=%s members=2" % (gens.pop(), leaders[0]))
    return 0


def probe_api(bootstrap, key, version):
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    c = Conn(host, port, timeout=5.0)
    try:
        c.request(int(key), int(version), b"")
        print("response")
    except (EOFError, ConnectionResetError):
        print("closed")
    except socket.timeout:
        print("timeout")
    return 0


def main(argv):
    if len(argv) in (4, 5) and argv[2] == "generic":
        return probe_generic(argv[1], argv[3])
    if len(argv) == 5 and argv[2] == "api":
        return probe_api(argv[1], argv[3], argv[4])
    sys.stderr.write(__doc__ or "usage: see the header of group_probe.py\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
