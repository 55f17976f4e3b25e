#!/usr/bin/python3
"""kafka_auth_fixture.py — test-only Kafka broker stand-in for it_group_auth.sh.

librdkafka 2.0.2's mock cluster has no TLS and no SASL, so this fixture speaks just enough of the
Kafka protocol, written independently of the C client from Kafka's message schemas, to check the
group client end to end over TLS and SASL: ApiVersions (v0-v3), SaslHandshake (v1),
SaslAuthenticate (v0-v2: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 server side per RFC 5802),
FindCoordinator (v1-v4), JoinGroup (v2-v9, MEMBER_ID_REQUIRED from v4), SyncGroup (v0-v5),
Heartbeat (v0-v4), LeaveGroup (v0-v5), for a group whose every JoinGroup starts a new generation
led by the joining member (enough for one member). It advertises Kafka 3.x version ranges so the
client's flexible encodings are exercised.

Prints the listening port as its first stdout line, then one event line per request.
Never use it as a broker: no topics, no persistence, one group.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import threading

FLEX = {10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 18: 3, 36: 2}  # first flexible version
RANGES = {10: (0, 4), 11: (0, 9), 12: (0, 4), 13: (0, 5), 14: (0, 5), 17: (0, 1), 18: (0, 3),
          36: (0, 2)}
LOCK = threading.Lock()
STATE = {"generation": 0, "next_member": 1, "members": {}}


def log(msg):
    with LOCK:
        sys.stdout.write(msg + "\n")
        sys.stdout.flush()


class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

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

    def uvarint(self):
        v, shift = 0, 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    def string(self, flex):
        n = self.uvarint() - 1 if flex else self.i16()
        return None if n < 0 else self.take(n).decode()

    def bytes_(self, flex):
        n = self.uvarint() - 1 if flex else self.i32()
        return None if n < 0 else self.take(n)

    def array_len(self, flex):
        return self.uvarint() - 1 if flex else self.i32()

    def tags(self, flex):
        if flex:
            for _ in range(self.uvarint()):
                self.uvarint()
                self.take(self.uvarint())


def uvarint(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def s(x, flex):
    if x is None:
        return uvarint(0) if flex else struct.pack(">h", -1)
    b = x.encode()
    return (uvarint(len(b) + 1) if flex else struct.pack(">h", len(b))) + b


def by(x, flex):
    if x is None:
        return uvarint(0) if flex else struct.pack(">i", -1)
    return (uvarint(len(x) + 1) if flex else struct.pack(">i", len(x))) + x


def arr(n, flex):
    return uvarint(n + 1) if flex else struct.pack(">i", n)


def tags(flex):
    return b"\x00" if flex else b""


class Scram:
    def __init__(self, mech, users):
        self.h = "sha256" if mech == "SCRAM-SHA-256" else "sha512"
        self.users = users
        self.step = 0

    def first(self, msg):
        # "n,,n=user,r=nonce"
        parts = msg.decode().split(",")
        if parts[0] != "n" or not parts[2].startswith("n="):
            raise ValueError("bad client-first")
        self.bare = ",".join(parts[2:])
        attrs = dict(p.split("=", 1) for p in parts[2:])
        self.user = attrs["n"].replace("=2C", ",").replace("=3D", "=")
        self.cnonce = attrs["r"]
        self.salt = os.urandom(16)
        self.it = 4096
        self.nonce = self.cnonce + base64.b64encode(os.urandom(18)).decode()
        self.server_first = "r=%s,s=%s,i=%d" % (self.nonce, base64.b64encode(self.salt).decode(),
                                                self.it)
        return self.server_first.encode()

    def final(self, msg):
        text = msg.decode()
        without_proof, proof64 = text.rsplit(",p=", 1)
        attrs = dict(p.split("=", 1) for p in without_proof.split(","))
        if attrs.get("c") != "biws" or attrs.get("r") != self.nonce:
            return None
        pw = self.users.get(self.user)
        if pw is None:
            return None
        salted = hashlib.pbkdf2_hmac(self.h, pw.encode(), self.salt, self.it)
        client_key = hmac.new(salted, b"Client Key", self.h).digest()
        stored = hashlib.new(self.h, client_key).digest()
        auth = ",".join([self.bare, self.server_first, without_proof]).encode()
        sig = hmac.new(stored, auth, self.h).digest()
        proof = base64.b64decode(proof64)
        if len(proof) != len(sig):
            return None
        candidate = bytes(a ^ b for a, b in zip(proof, sig))
        if hashlib.new(self.h, candidate).digest() != stored:
            return None
        server_key = hmac.new(salted, b"Server Key", self.h).digest()
        return ("v=" + base64.b64encode(hmac.new(server_key, auth, self.h).digest()).decode()
                ).encode()


class Conn:
    def __init__(self, sock, args):
        self.sock = sock
        self.args = args
        self.authed = not args.sasl
        self.mech = None
        self.scram = None

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def serve(self):
        while True:
            size = struct.unpack(">i", self.recv_exact(4))[0]
            r = Reader(self.recv_exact(size))
            api, ver, corr = r.i16(), r.i16(), r.i32()
            r.string(False)  # client id
            flex = api in FLEX and ver >= FLEX[api]
            r.tags(flex)
            if not self.authed and api not in (17, 18, 36):
                log("REFUSED api=%d before authentication" % api)
                return
            lo, hi = RANGES.get(api, (0, -1))
            if api != 18 and not lo <= ver <= hi:
                log("BAD-VERSION api=%d v=%d" % (api, ver))
                return
            body = getattr(self, "api_%d" % api)(r, ver, flex)
            if body is None:
                return
            head = struct.pack(">i", corr) + (b"\x00" if flex and api != 18 else b"")
            self.sock.sendall(struct.pack(">i", len(head) + len(body)) + head + body)

    def api_18(self, r, ver, flex):  # ApiVersions
        if ver > 3:
            log("API_VERSIONS v=%d unsupported" % ver)
            return struct.pack(">hi", 35, 1) + struct.pack(">hhh", 18, 0, 3)
        if ver >= 3:
            name, version = r.string(True), r.string(True)
            r.tags(True)
            log("API_VERSIONS v=%d client=%s/%s" % (ver, name, version))
        else:
            log("API_VERSIONS v=%d" % ver)
        out = struct.pack(">h", 0) + arr(len(RANGES), flex)
        for k, (lo, hi) in sorted(RANGES.items()):
            out += struct.pack(">hhh", k, lo, hi) + tags(flex)
        if ver >= 1:
            out += struct.pack(">i", 0)
        return out + tags(flex)

    def api_17(self, r, ver, flex):  # SaslHandshake
        mech = r.string(False)
        enabled = self.args.sasl.split(",") if self.args.sasl else []
        err = 0 if mech in enabled else 33
        self.mech = mech if err == 0 else None
        log("SASL_HANDSHAKE mech=%s err=%d" % (mech, err))
        out = struct.pack(">h", err) + arr(len(enabled), False)
        for m in enabled:
            out += s(m, False)
        return out

    def sasl_resp(self, ver, flex, err, msg, data):
        out = struct.pack(">h", err) + s(msg, flex) + by(data, flex)
        if ver >= 1:
            out += struct.pack(">q", 0)
        return out + tags(flex)

    def api_36(self, r, ver, flex):  # SaslAuthenticate
        data = r.bytes_(flex)
        r.tags(flex)
        users = dict(u.split(":", 1) for u in self.args.user)
        fail = ("Authentication failed during authentication due to invalid credentials with "
                "SASL mechanism %s" % self.mech)
        if self.mech == "PLAIN":
            _, user, pw = data.split(b"\x00", 2)
            if users.get(user.decode()) != pw.decode():
                log("AUTH-FAIL mech=PLAIN user=%s v=%d" % (user.decode(), ver))
                return self.sasl_resp(ver, flex, 58, fail, b"")
            self.authed = True
            log("AUTH-OK mech=PLAIN user=%s v=%d" % (user.decode(), ver))
            return self.sasl_resp(ver, flex, 0, None, b"")
        if self.mech and self.mech.startswith("SCRAM-"):
            if self.scram is None:
                self.scram = Scram(self.mech, users)
                return self.sasl_resp(ver, flex, 0, None, self.scram.first(data))
            final = self.scram.final(data)
            if final is None:
                log("AUTH-FAIL mech=%s user=%s v=%d" % (self.mech, self.scram.user, ver))
                return self.sasl_resp(ver, flex, 58, fail, b"")
            self.authed = True
            log("AUTH-OK mech=%s user=%s v=%d" % (self.mech, self.scram.user, ver))
            return self.sasl_resp(ver, flex, 0, None, final)
        return self.sasl_resp(ver, flex, 34, "no handshake", b"")

    def api_10(self, r, ver, flex):  # FindCoordinator
        host, port, node = self.args.advertise, self.args.port_actual, 1
        if ver >= 4:
            r.i8()
            keys = [r.string(True) for _ in range(r.array_len(True))]
            r.tags(True)
            log("FIND_COORDINATOR v=%d keys=%s" % (ver, ",".join(keys)))
            out = struct.pack(">i", 0) + arr(len(keys), True)
            for k in keys:
                out += s(k, True) + struct.pack(">i", node) + s(host, True) + \
                    struct.pack(">ih", port, 0) + s(None, True) + tags(True)
            return out + tags(True)
        key = r.string(flex)
        key_type = r.i8() if ver >= 1 else 0
        r.tags(flex)
        log("FIND_COORDINATOR v=%d key=%s type=%d" % (ver, key, key_type))
        out = struct.pack(">ih", 0, 0) + s(None, flex) + struct.pack(">i", node) + s(host, flex)
        return out + struct.pack(">i", port) + tags(flex)

    def api_11(self, r, ver, flex):  # JoinGroup
        group = r.string(flex)
        session = r.i32()
        rebalance = r.i32() if ver >= 1 else -1
        member = r.string(flex)
        if ver >= 5:
            r.string(flex)
        ptype = r.string(flex)
        protos = []
        for _ in range(r.array_len(flex)):
            protos.append((r.string(flex), r.bytes_(flex)))
            r.tags(flex)
        reason = r.string(flex) if ver >= 8 else None
        r.tags(flex)
        names = ",".join(p[0] for p in protos)
        with LOCK:
            if self.args.join_error:
                err, gen, pname, leader, members = self.args.join_error, -1, None, "", []
            elif member == "" and ver >= 4:
                member = "%s-m%d" % (group, STATE["next_member"])
                STATE["next_member"] += 1
                err, gen, pname, leader, members = 79, -1, None, "", []
            else:
                if member == "":
                    member = "%s-m%d" % (group, STATE["next_member"])
                    STATE["next_member"] += 1
                STATE["generation"] += 1
                err, gen, pname, leader = 0, STATE["generation"], protos[0][0], member
                members = [(member, protos[0][1])]
                STATE["members"] = {member: gen}
        log("JOIN v=%d group=%s type=%s protocols=%s session=%d rebalance=%d member=%s err=%d "
            "reason=%s" % (ver, group, ptype, names, session, rebalance, member, err, reason))
        out = (struct.pack(">i", 0) if ver >= 2 else b"") + struct.pack(">hi", err, gen)
        if ver >= 7:
            out += s(ptype if err == 0 else None, flex)
        out += s(pname if ver >= 7 else (pname or ""), flex) + s(leader, flex)
        if ver >= 9:
            out += b"\x00"
        out += s(member, flex) + arr(len(members), flex)
        for mid, md in members:
            out += s(mid, flex) + (s(None, flex) if ver >= 5 else b"") + by(md, flex) + tags(flex)
        return out + tags(flex)

    def api_14(self, r, ver, flex):  # SyncGroup
        group, gen, member = r.string(flex), r.i32(), r.string(flex)
        if ver >= 3:
            r.string(flex)
        ptype = pname = None
        if ver >= 5:
            ptype, pname = r.string(flex), r.string(flex)
        assignments = {}
        for _ in range(r.array_len(flex)):
            mid = r.string(flex)
            assignments[mid] = r.bytes_(flex)
            r.tags(flex)
        r.tags(flex)
        with LOCK:
            ok = STATE["members"].get(member) == gen
        err = 0 if ok else 22
        data = assignments.get(member, b"") if ok else b""
        log("SYNC v=%d gen=%d member=%s n=%d type=%s name=%s err=%d" %
            (ver, gen, member, len(assignments), ptype, pname, err))
        out = (struct.pack(">i", 0) if ver >= 1 else b"") + struct.pack(">h", err)
        if ver >= 5:
            out += s(ptype, flex) + s(pname, flex)
        return out + by(data, flex) + tags(flex)

    def api_12(self, r, ver, flex):  # Heartbeat
        group, gen, member = r.string(flex), r.i32(), r.string(flex)
        if ver >= 3:
            r.string(flex)
        r.tags(flex)
        with LOCK:
            known = member in STATE["members"]
            err = 0 if STATE["members"].get(member) == gen else (22 if known else 25)
        log("HEARTBEAT v=%d gen=%d member=%s err=%d" % (ver, gen, member, err))
        return (struct.pack(">i", 0) if ver >= 1 else b"") + struct.pack(">h", err) + tags(flex)

    def api_13(self, r, ver, flex):  # LeaveGroup
        group = r.string(flex)
        ids = []
        if ver < 3:
            ids.append(r.string(flex))
        else:
            for _ in range(r.array_len(flex)):
                ids.append(r.string(flex))
                r.string(flex)
                if ver >= 5:
                    r.string(flex)
                r.tags(flex)
        r.tags(flex)
        with LOCK:
            for i in ids:
                STATE["members"].pop(i, None)
        log("LEAVE v=%d group=%s members=%s" % (ver, group, ",".join(ids)))
        out = (struct.pack(">i", 0) if ver >= 1 else b"") + struct.pack(">h", 0)
        if ver >= 3:
            out += arr(len(ids), flex)
            for i in ids:
                out += s(i, flex) + s(None, flex) + struct.pack(">h", 0) + tags(flex)
        return out + tags(flex)


def handle(raw, args, ctx):
    sock = raw
    try:
        if ctx is not None:
            sock = ctx.wrap_socket(raw, server_side=True)
        Conn(sock, args).serve()
    except (EOFError, ConnectionError, ssl.SSLError, ValueError, OSError) as e:
        if not isinstance(e, EOFError):
            log("CONN-ERROR %s" % type(e).__name__)
    finally:
        try:
            sock.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--client-ca", help="require client certificates signed by this CA")
    ap.add_argument("--sasl", help="enabled mechanisms, comma-separated")
    ap.add_argument("--user", action="append", default=[], help="user:password")
    ap.add_argument("--advertise", default="127.0.0.1")
    ap.add_argument("--join-error", type=int, default=0, help="answer every JoinGroup with it")
    args = ap.parse_args()
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    args.port_actual = srv.getsockname()[1]
    log(str(args.port_actual))
    while True:
        raw, _ = srv.accept()
        threading.Thread(target=handle, args=(raw, args, ctx), daemon=True).start()


if __name__ == "__main__":
    main()
