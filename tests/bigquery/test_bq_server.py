# test_bq_server.py -- self-test of the BigQuery REST test double (bq_test_server.py), run by
# test_bq_server.sh with /usr/bin/python3 -m unittest. It drives the server over HTTP only; JWTs
# are signed with `openssl dgst -sha256 -sign` so the signature check is tested independently of
# the server's own code. Covers: the token endpoint (good/bad signature, aud, iss, scope, expiry),
# 401s, tables.get/insert/patch, insertAll (invalid row => rest stopped, nothing written;
# skipInvalidRows; insertId dedup; limits; exact NUMERIC/TIMESTAMP values), the contract's MERGE
# over three batches (delete, out-of-order older change, TOAST), DELETE, SELECT results, struct
# equality with NULLs, fault injection, token expiry and the error envelope of unsupported SQL.

import base64
from decimal import Decimal
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "bq_test_server.py")
PY = "/usr/bin/python3"
EMAIL = "sluice-test@test-project.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/bigquery"
P, D = "test-project", "ds"
BIG_MIN = ("-578960446186580977117854925043439539266."
           "34992332820282019728792003956564819968")


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class ServerProc:
    def __init__(self, tmp, *extra):
        self.port_file = os.path.join(tmp, "port-%d" % time.monotonic_ns())
        self.log = os.path.join(tmp, "server.log")
        self.proc = subprocess.Popen(
            [PY, SERVER, "--port-file", self.port_file, "--log", self.log] + list(extra)
        )
        deadline = time.time() + 10
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        with open(self.port_file) as fh:
            self.port = int(fh.read())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode


KEYS = {}


def setUpModule():
    tmp = tempfile.mkdtemp(prefix="bqtest.")
    KEYS["tmp"] = tmp
    for name in ("key", "other"):
        KEYS[name] = os.path.join(tmp, name + ".pem")
        subprocess.run(
            ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", KEYS[name]],
            check=True,
            capture_output=True,
        )
    KEYS["pub"] = os.path.join(tmp, "pub.pem")
    subprocess.run(["openssl", "pkey", "-in", KEYS["key"], "-pubout", "-out", KEYS["pub"]],
                   check=True, capture_output=True)
    KEYS["srv"] = ServerProc(tmp, "--public-key", KEYS["pub"], "--client-email", EMAIL)


def tearDownModule():
    rc = KEYS["srv"].stop()
    shutil.rmtree(KEYS["tmp"], ignore_errors=True)
    if rc != 0:
        raise AssertionError("server exited with %s on SIGTERM" % rc)


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = KEYS["tmp"]
        cls.key = KEYS["key"]
        cls.other_key = KEYS["other"]
        cls.pub = KEYS["pub"]
        cls.srv = KEYS["srv"]

    # ---------------------------------------------------------------- helpers
    def http(self, method, path, body=None, token=None, headers=None, raw=None, port=None):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.srv.port, timeout=20)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = "Bearer " + token
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read()
        conn.close()
        return r.status, (json.loads(text) if text else None)

    def jwt(self, claims=None, header=None, key=None, port=None):
        now = int(time.time())
        c = {
            "iss": EMAIL,
            "scope": SCOPE,
            "aud": "http://127.0.0.1:%d/token" % (port or self.srv.port),
            "iat": now,
            "exp": now + 3600,
        }
        c.update(claims or {})
        for k in [k for k, v in c.items() if v is None]:
            del c[k]
        h = header or {"alg": "RS256", "typ": "JWT", "kid": "k1"}
        signing = b64url(json.dumps(h).encode()) + "." + b64url(json.dumps(c).encode())
        sig = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", key or self.key],
            input=signing.encode(),
            check=True,
            capture_output=True,
        ).stdout
        return signing + "." + b64url(sig)

    def token_req(self, assertion, port=None):
        form = ("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
                + assertion)
        return self.http(
            "POST",
            "/token",
            raw=form.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            port=port,
        )

    def token(self, port=None):
        code, body = self.token_req(self.jwt(port=port), port=port)
        self.assertEqual(code, 200, body)
        return body["access_token"]

    def api(self, method, path, body=None, tok=None, **kw):
        return self.http(method, "/bigquery/v2" + path, body, token=tok or self.tok, **kw)

    def create_table(self, table, fields, **extra):
        res = {"tableReference": {"projectId": P, "datasetId": D, "tableId": table},
               "schema": {"fields": fields}}
        res.update(extra)
        code, body = self.api("POST", "/projects/%s/datasets/%s/tables" % (P, D), res)
        self.assertEqual(code, 200, body)
        return body

    def insert(self, table, rows, **opts):
        body = {"kind": "bigquery#tableDataInsertAllRequest", "rows": rows}
        body.update(opts)
        path = "/projects/%s/datasets/%s/tables/%s/insertAll" % (P, D, table)
        return self.api("POST", path, body)

    def dump(self, table):
        code, body = self.http("GET", "/__test/tables/%s/%s/%s" % (P, D, table))
        self.assertEqual(code, 200, body)
        return body

    def query(self, sql, **opts):
        body = {"query": sql, "useLegacySql": False}
        body.update(opts)
        return self.api("POST", "/projects/%s/queries" % P, body)

    def query_ok(self, sql):
        code, body = self.query(sql)
        self.assertEqual(code, 200, body)
        self.assertTrue(body["jobComplete"], body)
        return body

    def assert_envelope(self, body, code, reason):
        self.assertIn("error", body)
        err = body["error"]
        self.assertEqual(err["code"], code, body)
        self.assertEqual(err["errors"][0]["reason"], reason, body)
        self.assertIsInstance(err["message"], str)
        self.assertIn("status", err)

    def setUp(self):
        self.http("POST", "/__test/reset")
        self.tok = self.token()


class TokenTests(Base):
    def test_good_token(self):
        code, body = self.token_req(self.jwt())
        self.assertEqual(code, 200)
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["expires_in"], 3600)
        self.assertTrue(body["access_token"])

    def test_google_audience_accepted(self):
        code, body = self.token_req(self.jwt({"aud": "https://oauth2.googleapis.com/token"}))
        self.assertEqual(code, 200, body)

    def test_bad_signature(self):
        code, body = self.token_req(self.jwt(key=self.other_key))
        self.assertEqual(code, 400)
        self.assertEqual(body["error"], "invalid_grant")
        self.assertIn("Signature", body["error_description"])

    def test_tampered_claims(self):
        good = self.jwt().split(".")
        evil = dict(json.loads(base64.urlsafe_b64decode(good[1] + "==")), iss="evil@example.com")
        forged = ".".join([good[0], b64url(json.dumps(evil).encode()), good[2]])
        code, body = self.token_req(forged)
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))

    def test_wrong_aud(self):
        code, body = self.token_req(self.jwt({"aud": "https://evil.example.com/token"}))
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))
        self.assertIn("audience", body["error_description"])

    def test_expired(self):
        now = int(time.time())
        code, body = self.token_req(self.jwt({"iat": now - 7200, "exp": now - 3600}))
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))
        self.assertIn("iat and exp", body["error_description"])

    def test_too_long_lived(self):
        now = int(time.time())
        code, body = self.token_req(self.jwt({"exp": now + 7200}))
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))

    def test_wrong_iss_scope_alg(self):
        code, body = self.token_req(self.jwt({"iss": "someone@else.iam.gserviceaccount.com"}))
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))
        code, body = self.token_req(
            self.jwt({"scope": "https://www.googleapis.com/auth/devstorage.read_only"}))
        self.assertEqual((code, body["error"]), (400, "invalid_scope"))
        code, body = self.token_req(self.jwt(header={"alg": "HS256", "typ": "JWT"}))
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))

    def test_bad_grant_and_garbage(self):
        code, body = self.http(
            "POST", "/token", raw=b"grant_type=password&assertion=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.assertEqual((code, body["error"]), (400, "unsupported_grant_type"))
        code, body = self.token_req("not.a.jwt")
        self.assertEqual((code, body["error"]), (400, "invalid_grant"))

    def test_api_needs_valid_token(self):
        code, body = self.http("GET", "/bigquery/v2/projects/%s/datasets/%s/tables/x" % (P, D))
        self.assertEqual(code, 401)
        self.assert_envelope(body, 401, "required")
        code, body = self.api("GET", "/projects/%s/datasets/%s/tables/x" % (P, D), tok="ya29.bogus")
        self.assertEqual(code, 401)
        self.assert_envelope(body, 401, "authError")

    def test_expire_tokens_then_refresh(self):
        self.create_table("t", [{"name": "a", "type": "INTEGER"}])
        code, _ = self.api("GET", "/projects/%s/datasets/%s/tables/t" % (P, D))
        self.assertEqual(code, 200)
        self.http("POST", "/__test/expire_tokens")
        code, body = self.api("GET", "/projects/%s/datasets/%s/tables/t" % (P, D))
        self.assertEqual(code, 401)
        self.assert_envelope(body, 401, "authError")
        self.tok = self.token()
        code, _ = self.api("GET", "/projects/%s/datasets/%s/tables/t" % (P, D))
        self.assertEqual(code, 200)
        _, stats = self.http("GET", "/__test/stats")
        self.assertGreaterEqual(stats["tokens_issued"], 2)

    def test_token_ttl_expiry_and_no_auth(self):
        srv = ServerProc(self.tmp, "--public-key", self.pub, "--token-ttl", "1")
        try:
            tok = self.token(port=srv.port)
            path = "/bigquery/v2/projects/%s/datasets/%s/tables/nope" % (P, D)
            code, body = self.http("GET", path, token=tok, port=srv.port)
            self.assertEqual(code, 404)
            self.assert_envelope(body, 404, "notFound")
            time.sleep(1.1)
            code, body = self.http("GET", path, token=tok, port=srv.port)
            self.assertEqual(code, 401)
            self.assert_envelope(body, 401, "authError")
        finally:
            self.assertEqual(srv.stop(), 0)
        srv = ServerProc(self.tmp, "--no-auth")
        try:
            path = "/bigquery/v2/projects/%s/datasets/%s/tables/nope" % (P, D)
            code, body = self.http("GET", path, port=srv.port)
            self.assertEqual(code, 404)
        finally:
            self.assertEqual(srv.stop(), 0)


class TableTests(Base):
    FIELDS = [
        {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
        {"name": "name", "type": "STRING"},
        {"name": "amount", "type": "NUMERIC"},
        {"name": "big", "type": "BIGNUMERIC"},
        {"name": "ts", "type": "TIMESTAMP"},
        {"name": "d", "type": "DATE"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
        {"name": "doc", "type": "JSON"},
        {"name": "addr", "type": "RECORD",
         "fields": [{"name": "city", "type": "STRING"}, {"name": "zip", "type": "INT64"}]},
    ]

    def test_create_get_duplicate_missing(self):
        body = self.create_table(
            "t", self.FIELDS, timePartitioning={"type": "DAY", "field": "ts"},
            clustering={"fields": ["id"]},
            tableConstraints={"primaryKey": {"columns": ["id"]}},
        )
        self.assertEqual(body["kind"], "bigquery#table")
        self.assertEqual(body["id"], "%s:%s.t" % (P, D))
        code, body = self.api("GET", "/projects/%s/datasets/%s/tables/t" % (P, D))
        self.assertEqual(code, 200)
        self.assertEqual(body["schema"]["fields"][0],
                         {"name": "id", "type": "INTEGER", "mode": "REQUIRED"})
        self.assertEqual(body["timePartitioning"]["field"], "ts")
        self.assertEqual(body["numRows"], "0")
        code, body = self.api(
            "POST", "/projects/%s/datasets/%s/tables" % (P, D),
            {"tableReference": {"projectId": P, "datasetId": D, "tableId": "t"},
             "schema": {"fields": self.FIELDS}},
        )
        self.assertEqual(code, 409)
        self.assert_envelope(body, 409, "duplicate")
        code, body = self.api("GET", "/projects/%s/datasets/%s/tables/missing" % (P, D))
        self.assertEqual(code, 404)
        self.assert_envelope(body, 404, "notFound")
        code, body = self.api(
            "POST", "/projects/%s/datasets/%s/tables" % (P, D),
            {"tableReference": {"projectId": P, "datasetId": D, "tableId": "bad"},
             "schema": {"fields": [{"name": "x", "type": "RECORD"}]}},
        )
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalid")

    def test_insert_one_invalid_row_stops_the_rest(self):
        self.create_table("t", self.FIELDS)
        rows = [
            {"insertId": "t-0-0", "json": {"id": 1, "name": "a"}},
            {"insertId": "t-0-1", "json": {"id": 2, "colx": 5}},
            {"insertId": "t-0-2", "json": {"id": "3", "amount": "1.5"}},
        ]
        code, body = self.insert("t", rows)
        self.assertEqual(code, 200)
        errs = {e["index"]: e["errors"][0] for e in body["insertErrors"]}
        self.assertEqual(sorted(errs), [0, 1, 2])
        self.assertEqual(errs[1]["reason"], "invalid")
        self.assertEqual(errs[1]["location"], "colx")
        self.assertIn("no such field", errs[1]["message"])
        self.assertEqual(errs[0]["reason"], "stopped")
        self.assertEqual(errs[2]["reason"], "stopped")
        self.assertEqual(self.dump("t")["rows"], [])
        # the stopped rows re-sent alone go in
        code, body = self.insert("t", [rows[0], rows[2]])
        self.assertEqual(code, 200)
        self.assertNotIn("insertErrors", body)
        self.assertEqual([r["id"] for r in self.dump("t")["rows"]], [1, 3])
        # skipInvalidRows: the good rows are written, the bad one reported
        code, body = self.insert(
            "t", [{"json": {"id": 4}}, {"json": {"name": "no id"}}], skipInvalidRows=True
        )
        self.assertEqual([e["index"] for e in body["insertErrors"]], [1])
        self.assertIn("Missing required field", body["insertErrors"][0]["errors"][0]["message"])
        self.assertEqual([r["id"] for r in self.dump("t")["rows"]], [1, 3, 4])
        # ignoreUnknownValues
        code, body = self.insert("t", [{"json": {"id": 5, "colx": 1}}], ignoreUnknownValues=True)
        self.assertNotIn("insertErrors", body)

    def test_insert_id_dedup(self):
        self.create_table("t", self.FIELDS)
        rows = [{"insertId": "topic-0-%d" % i, "json": {"id": i}} for i in range(3)]
        self.insert("t", rows)
        code, body = self.insert("t", rows + [{"insertId": "topic-0-3", "json": {"id": 3}}])
        self.assertEqual(code, 200)
        self.assertNotIn("insertErrors", body)
        self.assertEqual([r["id"] for r in self.dump("t")["rows"]], [0, 1, 2, 3])
        self.insert("t", [{"json": {"id": 9}}, {"json": {"id": 9}}])  # no insertId: no dedup
        self.assertEqual(len(self.dump("t")["rows"]), 6)

    def test_exact_values(self):
        self.create_table("t", self.FIELDS)
        code, body = self.insert("t", [{"json": {
            "id": "9223372036854775807",
            "amount": "12345678901234567890123456789.123456789",
            "big": BIG_MIN,
            "ts": "2026-03-14T14:30:15.123456+01:00",
            "d": "2026-03-14",
            "tags": ["a", "b"],
            "doc": "{\"k\": [1, 2]}",
            "addr": {"city": "Oslo", "zip": 150},
        }}, {"json": {"id": 2, "amount": 1234.50, "ts": 1710426615.5}}])
        self.assertNotIn("insertErrors", body, body)
        rows = self.dump("t")["rows"]
        self.assertEqual(rows[0]["id"], 9223372036854775807)
        self.assertEqual(rows[0]["amount"], "12345678901234567890123456789.123456789")
        self.assertEqual(rows[0]["big"], BIG_MIN)
        self.assertEqual(rows[0]["ts"], "2026-03-14 13:30:15.123456 UTC")
        self.assertEqual(rows[0]["tags"], ["a", "b"])
        self.assertEqual(rows[0]["addr"], {"city": "Oslo", "zip": 150})
        self.assertEqual(rows[1]["amount"], "1234.5")
        self.assertEqual(rows[1]["ts"], "2024-03-14 14:30:15.500000 UTC")
        self.assertEqual(rows[1]["tags"], [])
        # JSON numbers are protobuf Struct doubles on the way in: precision is lost there, exactly
        # as in BigQuery; strings keep every digit
        self.http("POST", "/__test/reset")
        self.tok = self.token()
        self.create_table("t", self.FIELDS)
        raw = (b'{"rows":[{"json":{"id":9007199254740993,"amount":12345678.123456789123}},'
               b'{"json":{"id":"9007199254740993","amount":"12345678.123456789"}}]}')
        code, body = self.api("POST", "/projects/%s/datasets/%s/tables/t/insertAll" % (P, D),
                              raw=raw, headers={"Content-Type": "application/json"})
        self.assertNotIn("insertErrors", body, body)
        rows = self.dump("t")["rows"]
        self.assertEqual((rows[0]["id"], rows[0]["amount"]),
                         (9007199254740992, "12345678.12345679"))
        self.assertEqual((rows[1]["id"], rows[1]["amount"]),
                         (9007199254740993, "12345678.123456789"))
        for bad in (
            {"id": 1, "amount": "1.1234567891"},  # 10 fractional digits
            {"id": 1, "amount": "123456789012345678901234567890"},  # 30 integer digits
            {"id": 1, "ts": "2026-03-14 14:30:15.1234567"},  # nanoseconds
            {"id": 1, "d": "2026-02-30"},
            {"id": "x"},
            {"id": 1, "addr": {"city": "x", "street": "y"}},
            {"id": 1, "tags": "notarray"},
            {"id": 1, "doc": "{not json"},
        ):
            code, body = self.insert("t", [{"json": bad}])
            self.assertEqual(code, 200)
            self.assertEqual(body["insertErrors"][0]["errors"][0]["reason"], "invalid", bad)

    def test_parallel_inserts(self):
        """Concurrent insertAll requests (the sink writes up to threadPoolSize at once): every row
        lands exactly once, duplicates across threads are dropped by insertId."""
        import threading

        self.create_table("t", self.FIELDS)
        errors = []

        def worker(n):
            try:
                for k in range(10):
                    rows = [{"insertId": "p-%d" % (k * 50 + j), "json": {"id": k * 50 + j}}
                            for j in range(50)]
                    code, body = self.insert("t", rows)
                    if code != 200 or "insertErrors" in body:
                        errors.append((n, code, body))
            except Exception as e:  # reported below
                errors.append((n, repr(e)))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        self.assertEqual(errors, [])
        ids = sorted(r["id"] for r in self.dump("t")["rows"])
        self.assertEqual(ids, list(range(500)))

    def test_request_limits(self):
        self.create_table("t", self.FIELDS)
        code, body = self.insert("t", [])
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalid")
        code, body = self.insert("t", [{"json": {"id": 1}}] * 50001)
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalid")
        self.assertIn("too many rows", body["error"]["message"])
        code, body = self.insert("t", [{"json": {"id": 1, "name": "x" * 11000000}}])
        self.assertEqual(code, 400)
        self.assertIn("payload size exceeds", body["error"]["message"])
        code, body = self.insert("missing", [{"json": {"id": 1}}])
        self.assertEqual(code, 404)
        self.assert_envelope(body, 404, "notFound")

    def test_patch_adds_column_and_relaxes(self):
        self.create_table("t", self.FIELDS)
        self.insert("t", [{"json": {"id": 1}}])
        new = self.FIELDS + [{"name": "extra", "type": "STRING", "mode": "NULLABLE"}]
        new[0] = dict(new[0], mode="NULLABLE")
        new[8] = dict(new[8], fields=new[8]["fields"] + [{"name": "country", "type": "STRING"}])
        code, body = self.api("PATCH", "/projects/%s/datasets/%s/tables/t" % (P, D),
                              {"schema": {"fields": new}})
        self.assertEqual(code, 200, body)
        self.assertEqual(body["schema"]["fields"][-1]["name"], "extra")
        self.assertEqual(body["schema"]["fields"][0]["mode"], "NULLABLE")
        code, body = self.insert("t", [{"json": {"extra": "e", "addr": {"country": "NO"}}}])
        self.assertNotIn("insertErrors", body)
        rows = self.dump("t")["rows"]
        self.assertIsNone(rows[0]["extra"])
        self.assertEqual(rows[1]["addr"], {"city": None, "zip": None, "country": "NO"})
        for bad in (
            new + [{"name": "req", "type": "STRING", "mode": "REQUIRED"}],
            [dict(new[0], type="STRING")] + new[1:],
            new[1:],
        ):
            code, body = self.api("PATCH", "/projects/%s/datasets/%s/tables/t" % (P, D),
                                  {"schema": {"fields": bad}})
            self.assertEqual(code, 400, bad)
            self.assert_envelope(body, 400, "invalid")


KEY = [{"name": "id", "type": "INTEGER", "mode": "NULLABLE"},
       {"name": "region", "type": "STRING", "mode": "NULLABLE"}]
ROW = [{"name": "name", "type": "STRING"}, {"name": "amount", "type": "NUMERIC"},
       {"name": "note", "type": "STRING"}]
TMP_FIELDS = [
    {"name": "key", "type": "RECORD", "mode": "REQUIRED", "fields": KEY},
    {"name": "value", "type": "RECORD", "mode": "NULLABLE", "fields": ROW},
    {"name": "position", "type": "INTEGER", "mode": "REQUIRED"},
    {"name": "i", "type": "INTEGER", "mode": "REQUIRED"},
    {"name": "toast", "type": "STRING", "mode": "REPEATED"},
    {"name": "batchNumber", "type": "INTEGER", "mode": "REQUIRED"},
]
DEST_FIELDS = [{"name": "kafkaKey", "type": "RECORD", "mode": "NULLABLE", "fields": KEY}] + ROW + [
    {"name": "pos", "type": "INTEGER", "mode": "NULLABLE"}
]


def merge_sql(batch):
    cols = ["name", "amount", "note"]
    sets = ", ".join(
        "`%s` = IF('%s' IN UNNEST(s.src.toast), d.`%s`, s.src.value.`%s`)" % (c, c, c, c)
        for c in cols
    )
    return (
        "MERGE `{p}.{d}.dest` AS d\n"
        "USING (\n"
        "  SELECT ARRAY_AGG(x ORDER BY x.position DESC, x.i DESC LIMIT 1)[OFFSET(0)] AS src\n"
        "  FROM `{p}.{d}.dest_tmp` AS x\n"
        "  WHERE x.batchNumber <= {b}\n"
        "  GROUP BY x.key.`id`, x.key.`region`\n"
        ") AS s\n"
        "ON d.`kafkaKey` = s.src.key\n"
        "WHEN MATCHED AND s.src.value IS NULL AND s.src.position >= d.`pos` THEN DELETE\n"
        "WHEN MATCHED AND s.src.value IS NOT NULL AND s.src.position >= d.`pos` THEN UPDATE SET\n"
        "  {sets}, `pos` = s.src.position\n"
        "WHEN NOT MATCHED AND s.src.value IS NOT NULL THEN\n"
        "  INSERT (`kafkaKey`, `name`, `amount`, `note`, `pos`)\n"
        "  VALUES (s.src.key, s.src.value.`name`, s.src.value.`amount`, s.src.value.`note`,"
        " s.src.position)"
    ).format(p=P, d=D, b=batch, sets=sets)


class MergeTests(Base):
    def setUp(self):
        super().setUp()
        self.create_table("dest", DEST_FIELDS)
        self.create_table("dest_tmp", TMP_FIELDS)
        self.i = 0
        self.log = []

    def stream(self, batch, changes):
        rows = []
        for key, value, pos, toast in changes:
            self.i += 1
            self.log.append((batch, self.i, key, value, pos, toast))
            rows.append({"insertId": "t-0-%d" % self.i, "json": {
                "key": {"id": key[0], "region": key[1]}, "value": value, "position": pos,
                "i": self.i,
                "toast": toast, "batchNumber": batch}})
        code, body = self.insert("dest_tmp", rows)
        self.assertEqual(code, 200)
        self.assertNotIn("insertErrors", body, body)

    def run_job(self, sql):
        code, job = self.api("POST", "/projects/%s/jobs" % P,
                             {"configuration": {"query": {"query": sql, "useLegacySql": False}}})
        self.assertEqual(code, 200, job)
        self.assertEqual(job["status"]["state"], "RUNNING")
        jid = job["jobReference"]["jobId"]
        for _ in range(100):
            code, job = self.api("GET", "/projects/%s/jobs/%s?location=US" % (P, jid))
            self.assertEqual(code, 200, job)
            if job["status"]["state"] == "DONE":
                return job
            time.sleep(0.01)
        self.fail("job never finished")

    def dest(self):
        return sorted(
            ((r["kafkaKey"]["id"], r["kafkaKey"]["region"], r["name"], r["amount"], r["note"],
              r["pos"])
             for r in self.dump("dest")["rows"]),
            key=repr,
        )

    def test_merge_three_batches(self):
        v = lambda n, a, note="-": {"name": n, "amount": a, "note": note}  # noqa: E731
        # batch 1: two keys inserted, key A updated twice inside the batch (arrival order is not
        # source order)
        self.stream(1, [
            ((1, "eu"), v("a1", "10.10"), 100, []),
            ((2, "us"), v("b1", "20.20"), 101, []),
            ((1, "eu"), v("a3", "10.30"), 300, []),
            ((1, "eu"), v("a2", "10.20"), 200, []),  # older change arriving last: must not win
        ])
        job = self.run_job(merge_sql(1))
        self.assertNotIn("errorResult", job["status"], job)
        self.assertEqual(job["statistics"]["query"]["numDmlAffectedRows"], "2")
        self.assertEqual(self.dest(), [(1, "eu", "a3", "10.3", "-", 300),
                                       (2, "us", "b1", "20.2", "-", 101)])
        code, body = self.query("DELETE FROM `%s.%s.dest_tmp` WHERE batchNumber <= 1" % (P, D))
        self.assertEqual(code, 200, body)
        self.assertEqual(body["numDmlAffectedRows"], "4")
        # batch 2: key B deleted; key A gets a TOAST'd note plus an older change from another
        # partition
        self.stream(2, [
            ((2, "us"), None, 400, []),
            ((1, "eu"), {"name": "a5", "amount": "10.50", "note": None}, 500, ["note"]),
            ((1, "eu"), v("a0", "1.00"), 50, []),
        ])
        job = self.run_job(merge_sql(2))
        self.assertNotIn("errorResult", job["status"], job)
        self.assertEqual(self.dest(), [(1, "eu", "a5", "10.5", "-", 500)])
        # batch 3 (not cleaned up before: batches 2 and 3 both merged with <= 3): an old change of A
        # alone must not overwrite; B re-inserted; a key with a NULL field never matches
        self.stream(3, [
            ((1, "eu"), v("stale", "0.01"), 450, []),
            ((2, "us"), v("b2", "99999999999999999999999999999.999999999"), 600, []),
            ((3, None), v("c1", "3"), 700, []),
        ])
        body = self.query_ok(merge_sql(3))
        # B and key 3 inserted; A's newest change (500, from batch 2) re-applied idempotently
        self.assertEqual(body["dmlStats"], {"insertedRowCount": "2", "deletedRowCount": "0",
                                            "updatedRowCount": "1"})
        self.assertEqual(self.dest(), [
            (1, "eu", "a5", "10.5", "-", 500),
            (2, "us", "b2", "99999999999999999999999999999.999999999", "-", 600),
            (3, None, "c1", "3", "-", 700),
        ])
        # merging the same key-with-NULL again inserts a duplicate: struct equality with a NULL
        # field is NULL
        self.query_ok(merge_sql(3))
        self.assertEqual(sum(1 for r in self.dest() if r[0] == 3), 2)
        code, body = self.query("DELETE FROM `%s.%s.dest_tmp` WHERE batchNumber <= 3" % (P, D))
        self.assertEqual(body["numDmlAffectedRows"], "6")
        self.assertEqual(self.dump("dest_tmp")["rows"], [])
        _, stats = self.http("GET", "/__test/stats")
        self.assertEqual(stats["merges"], 4)

    def test_merge_matches_reference_model(self):
        """Random change streams (seeded), merged in batches, against a plain-Python model of the
        contract's MERGE: newest source position per key wins, ties by arrival; deletes; TOAST."""
        import random

        for seed in (6, 7, 8):
            self.http("POST", "/__test/reset")
            self.tok = self.token()
            self.setUp()
            self.one_random_stream(random.Random(seed), seed)

    def one_random_stream(self, rnd, seed):
        model = {}  # key -> [name, amount, note, pos]
        keys = [(k, r) for k in (1, 2, 3) for r in ("eu", "us")]
        merged_upto = 0
        for batch in range(1, 7):
            changes = []
            for _ in range(rnd.randint(1, 12)):
                key = rnd.choice(keys)
                pos = rnd.randint(1, 60)
                if rnd.random() < 0.25:
                    changes.append((key, None, pos, []))
                else:
                    toast = ["note"] if rnd.random() < 0.3 else []
                    val = {"name": "n%d" % pos, "amount": "%d.%02d" % (pos, rnd.randint(0, 99)),
                           "note": None if toast else "t%d" % pos}
                    changes.append((key, val, pos, toast))
            self.stream(batch, changes)
            body = self.query_ok(merge_sql(batch))
            self.assertIn("numDmlAffectedRows", body)
            # reference: every unmerged-and-uncleaned change with batch <= N takes part
            pending = [c for c in self.log if c[0] > merged_upto]
            latest = {}
            for b, i, key, val, pos, toast in pending:
                if key not in latest or (pos, i) > (latest[key][3], latest[key][4]):
                    latest[key] = (val, toast, key, pos, i)
            for key, (val, toast, _, pos, _) in latest.items():
                cur = model.get(key)
                if cur is not None and pos >= cur[3]:
                    if val is None:
                        del model[key]
                    else:
                        note = cur[2] if "note" in toast else val["note"]
                        model[key] = [val["name"], val["amount"], note, pos]
                elif cur is None and val is not None:
                    model[key] = [val["name"], val["amount"], val["note"], pos]
            if batch % 2 == 0:  # clean up the intermediate rows of merged batches
                self.query_ok("DELETE FROM `%s.%s.dest_tmp` WHERE batchNumber <= %d"
                              % (P, D, batch))
                merged_upto = batch
            want = sorted(
                ((k[0], k[1], v[0], format(Decimal(v[1]).normalize(), "f"), v[2], v[3])
                 for k, v in model.items()),
                key=repr,
            )
            self.assertEqual(self.dest(), want, "seed %d, after batch %d" % (seed, batch))

    def test_select_results_and_struct_where(self):
        self.stream(1, [((1, "eu"), {"name": "a", "amount": "1.5", "note": None}, 10, [])])
        self.query_ok(merge_sql(1))
        body = self.query_ok(
            "SELECT kafkaKey, amount, pos FROM `%s.%s.dest` AS d "
            "WHERE d.kafkaKey.id = 1 AND d.note IS NULL ORDER BY pos" % (P, D)
        )
        self.assertEqual(body["totalRows"], "1")
        self.assertEqual(body["schema"]["fields"][0]["type"], "RECORD")
        self.assertEqual(body["rows"][0]["f"][0]["v"], {"f": [{"v": "1"}, {"v": "eu"}]})
        self.assertEqual(body["rows"][0]["f"][1]["v"], "1.5")
        body = self.query_ok("SELECT * FROM `%s.%s.dest`" % (P, D))
        self.assertEqual(len(body["schema"]["fields"]), len(DEST_FIELDS))
        body = self.query_ok("SELECT pos FROM `%s.%s.dest` WHERE kafkaKey = kafkaKey" % (P, D))
        self.assertEqual(body["totalRows"], "1")

    def test_merge_errors(self):
        # two source rows for one target row
        self.stream(1, [((1, "eu"), {"name": "a", "amount": "1", "note": None}, 10, [])])
        self.query_ok(merge_sql(1))
        sql = (
            "MERGE `{p}.{d}.dest` AS d USING `{p}.{d}.dest_tmp` AS x ON d.kafkaKey = x.key "
            "WHEN MATCHED THEN UPDATE SET pos = x.position"
        ).format(p=P, d=D)
        self.stream(1, [((1, "eu"), {"name": "b", "amount": "2", "note": None}, 20, [])])
        code, body = self.query(sql)
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalidQuery")
        self.assertIn("at most one source row", body["error"]["message"])
        # a failed statement changes nothing; a failed job reports status.errorResult
        job = self.run_job(sql)
        self.assertEqual(job["status"]["errorResult"]["reason"], "invalidQuery")
        self.assertEqual(self.dest(), [(1, "eu", "a", "1", None, 10)])

    def test_unsupported_and_bad_sql(self):
        for sql, word in (
            ("SELECT pos + 1 FROM `%s.%s.dest`" % (P, D), "Syntax error"),
            ("UPDATE `%s.%s.dest` SET pos = 1 WHERE TRUE" % (P, D), "Syntax error"),
            ("SELECT pos FROM `%s.%s.dest` LIMIT 1" % (P, D), "Syntax error"),
            ("SELECT COUNT(*) FROM `%s.%s.dest`" % (P, D), "Function not found"),
            ("SELECT nope FROM `%s.%s.dest`" % (P, D), "Unrecognized name"),
            ("SELECT pos FROM `%s.%s.dest` WHERE kafkaKey = 1" % (P, D), "No matching signature"),
            ("SELECT kafkaKey FROM `%s.%s.dest` ORDER BY kafkaKey" % (P, D), "ORDER BY"),
            ("SELECT key.id, value FROM `%s.%s.dest_tmp` GROUP BY key.id" % (P, D),
             "neither grouped nor aggregated"),
            ("DELETE FROM `%s.%s.dest`" % (P, D), "WHERE"),
            ("MERGE `%s.%s.dest` d USING `%s.%s.dest_tmp` s ON d.kafkaKey = s.key "
             "WHEN MATCHED THEN UPDATE SET nope = 1" % (P, D, P, D), "not present"),
        ):
            code, body = self.query(sql)
            self.assertEqual(code, 400, sql)
            self.assert_envelope(body, 400, "invalidQuery")
            self.assertIn(word, body["error"]["message"], sql)
        code, body = self.query("SELECT pos FROM `%s.%s.nope`" % (P, D))
        self.assertEqual(code, 404)
        self.assert_envelope(body, 404, "notFound")
        code, body = self.api("POST", "/projects/%s/queries" % P,
                              {"query": "SELECT pos FROM `%s.%s.dest`" % (P, D)})
        self.assertEqual(code, 400)
        self.assertIn("useLegacySql", body["error"]["message"])


class FaultTests(Base):
    def test_insert_faults_then_success(self):
        self.create_table("t", [{"name": "a", "type": "INTEGER"}])
        self.http("POST", "/__test/faults", {"method": "POST", "path_regex": "insertAll",
                                             "status": 503,
                                             "reason": "backendError", "count": 2})
        for _ in range(2):
            code, body = self.insert("t", [{"json": {"a": 1}}])
            self.assertEqual(code, 503)
            self.assert_envelope(body, 503, "backendError")
        code, body = self.insert("t", [{"json": {"a": 1}}])
        self.assertEqual(code, 200)
        self.http("POST", "/__test/faults",
                  {"path_regex": "insertAll", "status": 403, "reason": "quotaExceeded"})
        code, body = self.insert("t", [{"json": {"a": 2}}])
        self.assert_envelope(body, 403, "quotaExceeded")
        self.assertEqual(len(self.dump("t")["rows"]), 1)
        _, stats = self.http("GET", "/__test/stats")
        self.assertEqual(stats["requests"]["POST tabledata.insertAll"], 4)

    def test_merge_serialization_fault(self):
        self.create_table("t", [{"name": "a", "type": "INTEGER"}])
        msg = "Could not serialize access to table %s:%s.t due to concurrent update" % (P, D)
        self.http("POST", "/__test/faults", {"method": "POST", "path_regex": "/jobs$",
                                             "status": 400,
                                             "reason": "invalidQuery", "message": msg, "count": 1})
        code, job = self.api("POST", "/projects/%s/jobs" % P, {"configuration": {"query": {
            "query": "DELETE FROM `%s.%s.t` WHERE a = 1" % (P, D), "useLegacySql": False}}})
        self.assertEqual(code, 200)
        code, job = self.api("GET", "/projects/%s/jobs/%s" % (P, job["jobReference"]["jobId"]))
        self.assertEqual(job["status"]["state"], "DONE")
        self.assertEqual(job["status"]["errorResult"]["reason"], "invalidQuery")
        self.assertIn("Could not serialize", job["status"]["errorResult"]["message"])
        self.http("POST", "/__test/faults", {"method": "POST", "path_regex": "/queries$",
                                             "status": 400,
                                             "reason": "invalidQuery", "message": msg,
                                             "query_regex": "^DELETE"})
        code, body = self.query("SELECT a FROM `%s.%s.t`" % (P, D))
        self.assertEqual(code, 200)  # query_regex does not match
        code, body = self.query("DELETE FROM `%s.%s.t` WHERE a = 1" % (P, D))
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalidQuery")
        code, body = self.query("DELETE FROM `%s.%s.t` WHERE a = 1" % (P, D))
        self.assertEqual(code, 200)


class SqlSemanticsTests(Base):
    def setUp(self):
        super().setUp()
        self.create_table("s", [
            {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
            {"name": "grp", "type": "STRING"},
            {"name": "name", "type": "STRING"},
            {"name": "amount", "type": "NUMERIC"},
            {"name": "tags", "type": "STRING", "mode": "REPEATED"},
            {"name": "rec", "type": "RECORD",
             "fields": [{"name": "a", "type": "INTEGER"}, {"name": "b", "type": "STRING"}]},
        ])
        code, body = self.insert("s", [
            {"json": {"id": 1, "grp": "g1", "name": "a", "amount": "1.000000001", "tags": ["x"],
                      "rec": {"a": 1, "b": "p"}}},
            {"json": {"id": 2, "grp": "g1", "name": None, "amount": "2", "tags": [],
                      "rec": {"a": 2, "b": None}}},
            {"json": {"id": 3, "grp": "g2", "name": "c", "amount": None, "tags": ["x", "y"],
                      "rec": None}},
            {"json": {"id": 4, "grp": None, "name": "d", "amount": "0.5", "tags": ["y"],
                      "rec": {"a": 4, "b": "q"}}},
        ])
        self.assertNotIn("insertErrors", body)

    def ids(self, where, order="id"):
        body = self.query_ok("SELECT id FROM `%s.%s.s` WHERE %s ORDER BY %s" % (P, D, where, order))
        return [int(r["f"][0]["v"]) for r in body.get("rows", [])]

    def test_three_valued_logic(self):
        self.assertEqual(self.ids("name != 'a'"), [3, 4])  # NULL name is not "not a"
        self.assertEqual(self.ids("NOT (name = 'a')"), [3, 4])
        self.assertEqual(self.ids("name IS NULL OR id = 3"), [2, 3])
        self.assertEqual(self.ids("amount > 1"), [1, 2])  # exact: 1.000000001 > 1
        self.assertEqual(self.ids("amount >= 1 AND NOT amount IS NULL"), [1, 2])
        self.assertEqual(self.ids("'y' IN UNNEST(tags)"), [3, 4])
        self.assertEqual(self.ids("'y' NOT IN UNNEST(tags)"), [1, 2])  # empty array: NOT IN is TRUE
        self.assertEqual(self.ids("rec = rec"), [1, 4])  # NULL struct and NULL field: not TRUE
        self.assertEqual(self.ids("IF(grp IS NULL, TRUE, grp = 'g2')"), [3, 4])
        self.assertEqual(self.ids("TRUE -- a comment\n /* another */", "name DESC"), [4, 3, 1, 2])
        self.assertEqual(self.ids("TRUE", "name"), [2, 1, 3, 4])  # NULLs first ascending

    def test_group_by_array_agg(self):
        body = self.query_ok(
            "SELECT grp, ARRAY_AGG(x ORDER BY x.id DESC LIMIT 1)[OFFSET(0)].name AS last_name, "
            "ARRAY_AGG(x.id ORDER BY x.id) AS all_ids FROM `%s.%s.s` AS x GROUP BY grp "
            "ORDER BY grp" % (P, D)
        )
        got = [(r["f"][0]["v"], r["f"][1]["v"], [c["v"] for c in r["f"][2]["v"]])
               for r in body["rows"]]
        self.assertEqual(got, [(None, "d", ["4"]), ("g1", None, ["1", "2"]), ("g2", "c", ["3"])])
        self.assertEqual(body["schema"]["fields"][2]["mode"], "REPEATED")

    def test_default_dataset_and_etag(self):
        code, body = self.query(
            "SELECT id FROM s WHERE id = 1", defaultDataset={"projectId": P, "datasetId": D}
        )
        self.assertEqual((code, body["totalRows"]), (200, "1"), body)
        code, body = self.query("SELECT id FROM s WHERE id = 1")
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalidQuery")
        code, body = self.api("PATCH", "/projects/%s/datasets/%s/tables/s" % (P, D),
                              {"description": "x"},
                              headers={"If-Match": "stale"})
        self.assertEqual(code, 412)
        self.assert_envelope(body, 412, "conditionNotMet")

    def test_request_id_idempotency(self):
        sql = "DELETE FROM `%s.%s.s` WHERE id = 1" % (P, D)
        code, first = self.query(sql, requestId="0f8fad5b-d9cb-469f-a165-70867728950e")
        self.assertEqual((code, first["numDmlAffectedRows"]), (200, "1"), first)
        code, again = self.query(sql, requestId="0f8fad5b-d9cb-469f-a165-70867728950e")
        self.assertEqual(again["jobReference"], first["jobReference"])
        self.assertEqual(again["numDmlAffectedRows"], "1")  # the first result, not a re-run
        code, other = self.query("DELETE FROM `%s.%s.s` WHERE id = 2" % (P, D),
                                 requestId="0f8fad5b-d9cb-469f-a165-70867728950e")
        self.assertNotEqual(other["jobReference"], first["jobReference"])  # other parameters
        self.assertEqual(len(self.dump("s")["rows"]), 2)
        code, body = self.query(sql, requestId="x" * 37)
        self.assertEqual(code, 400)
        self.assert_envelope(body, 400, "invalid")


class DelayTests(Base):
    """A second server with --no-auth, --job-delay-ms and --streaming-buffer-ms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv2 = ServerProc(cls.tmp, "--no-auth", "--job-delay-ms", "200",
                              "--streaming-buffer-ms", "1000")

    @classmethod
    def tearDownClass(cls):
        if cls.srv2.stop() != 0:
            raise AssertionError("second server exited badly on SIGTERM")

    def api2(self, method, path, body=None):
        return self.http(method, "/bigquery/v2" + path, body, port=self.srv2.port)

    def test_job_polling_and_streaming_buffer(self):
        code, body = self.api2("POST", "/projects/%s/datasets/%s/tables" % (P, D), {
            "tableReference": {"projectId": P, "datasetId": D, "tableId": "b"},
            "schema": {"fields": [{"name": "a", "type": "INTEGER"}]}})
        self.assertEqual(code, 200, body)
        code, body = self.api2("POST", "/projects/%s/datasets/%s/tables/b/insertAll" % (P, D),
                               {"rows": [{"json": {"a": 1}}]})
        self.assertEqual(code, 200, body)
        code, body = self.api2("GET", "/projects/%s/datasets/%s/tables/b" % (P, D))
        self.assertEqual(body["streamingBuffer"]["estimatedRows"], "1")
        untouched = {"query": "DELETE FROM `%s.%s.b` WHERE a = 99" % (P, D),
                     "useLegacySql": False}
        code, body = self.api2("POST", "/projects/%s/queries" % P, untouched)
        self.assertEqual((code, body["numDmlAffectedRows"]), (200, "0"), body)  # rows not touched
        delete = {"query": "DELETE FROM `%s.%s.b` WHERE a = 1" % (P, D), "useLegacySql": False,
                  "timeoutMs": 0}
        code, body = self.api2("POST", "/projects/%s/queries" % P, delete)
        self.assertEqual(code, 200, body)
        self.assertFalse(body["jobComplete"])
        jid = body["jobReference"]["jobId"]
        code, job = self.api2("GET", "/projects/%s/jobs/%s" % (P, jid))
        self.assertEqual(job["status"]["state"], "RUNNING")
        code, body = self.api2("GET", "/projects/%s/queries/%s?timeoutMs=5000" % (P, jid))
        self.assertEqual(code, 400)  # the rows are still in the streaming buffer
        self.assert_envelope(body, 400, "invalidQuery")
        self.assertIn("streaming buffer", body["error"]["message"])
        code, job = self.api2("GET", "/projects/%s/jobs/%s" % (P, jid))
        self.assertEqual(job["status"]["state"], "DONE")
        self.assertIn("streaming buffer", job["status"]["errorResult"]["message"])
        time.sleep(1.05)
        code, body = self.api2("GET", "/projects/%s/datasets/%s/tables/b" % (P, D))
        self.assertNotIn("streamingBuffer", body)
        delete["timeoutMs"] = 5000
        code, body = self.api2("POST", "/projects/%s/queries" % P, delete)
        self.assertEqual(code, 200, body)
        self.assertTrue(body["jobComplete"])
        self.assertEqual(body["numDmlAffectedRows"], "1")
        code, body = self.http("GET", "/__test/tables/%s/%s/b" % (P, D), port=self.srv2.port)
        self.assertEqual(body["rows"], [])


if __name__ == "__main__":
    unittest.main()
