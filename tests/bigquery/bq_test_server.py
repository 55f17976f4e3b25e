#!/usr/bin/python3
# bq_test_server.py -- a TEST DOUBLE of the BigQuery REST API v2 and Google's OAuth token endpoint,
# used by sluice's BigQuery sink tests (plugins/bigquery_sink). It is NOT BigQuery and not an
# emulator of all of it: it implements the documented contract the sink depends on, as written in
# /work/notes/bigquery-contract.md and Google's public REST reference, and fails loudly (HTTP 400
# invalidQuery "Syntax error: ...", or a clear "not modelled" message) on anything outside it, so a
# mismatch between the sink and BigQuery shows up in tests instead of being papered over.
#
# Run:  /usr/bin/python3 tests/bigquery/bq_test_server.py --port-file FILE [--public-key PEM]
#           [--client-email EMAIL] [--no-auth] [--token-ttl SECONDS] [--job-delay-ms MS]
#           [--streaming-buffer-ms MS] [--log FILE] [--port N]
# It binds 127.0.0.1 (a free port unless --port), writes the port to FILE when ready and serves
# until SIGTERM. API base http://127.0.0.1:PORT/bigquery/v2, token URL http://127.0.0.1:PORT/token.
# Python 3.11 standard library plus Debian's python3-cryptography (RS256 verification only); one
# process, ThreadingHTTPServer, one lock around all state.
#
# What it models:
#   - POST /token: the JWT-bearer grant. The RS256 signature is verified against --public-key;
#     alg, iss (== --client-email when given), scope (bigquery or cloud-platform), aud (the token
#     URL it was reached at, or https://oauth2.googleapis.com/token), iat/exp (exp-iat <= 3600, not
#     expired, 60 s clock skew) are checked; errors are Google's 400 {"error","error_description"}.
#     Issued tokens expire after --token-ttl seconds (or on POST /__test/expire_tokens); API calls
#     with a missing/unknown/expired token get 401 and BigQuery's error envelope.
#   - tables.get/insert/patch/update/delete/list (schema validation, additive-only schema changes,
#     REQUIRED->NULLABLE relaxation, 409 duplicate, 404 notFound, If-Match etags), datasets.get
#     (every dataset exists), tabledata.insertAll (per-type value validation; one invalid row makes
#     that row "invalid" and every other row "stopped" and nothing is written unless
#     skipInvalidRows; ignoreUnknownValues; insertId dedup for 60 s; 10 MB / 50,000-row request
#     limits; "No rows present"), tabledata.list, jobs.insert/get (query jobs, polled: DONE from the
#     first jobs.get after --job-delay-ms), jobs.query (timeoutMs, jobComplete, requestId
#     idempotency: <= 36 ASCII characters, 15 minutes, same parameters; a repeat returns the first
#     job even when it failed, the strict reading of the reference), useLegacySql must be false),
#     jobs.getQueryResults (paging), and the error envelope
#     {"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}.
#   - In-memory tables with exact values: INT64 as Python int, NUMERIC/BIGNUMERIC as Decimal with
#     BigQuery's precision/scale limits, TIMESTAMP as integer microseconds (UTC),
#     DATE/TIME/DATETIME, BYTES, JSON, RECORD and REPEATED. insertAll JSON numbers are IEEE doubles
#     (rows[].json is a protobuf Struct) and lose precision as in BigQuery; strings are exact.
#   - The SQL subset of the contract, with GoogleSQL semantics: MERGE (hash or nested-loop join,
#     "must match at most one source row", WHEN [NOT] MATCHED [AND cond] THEN UPDATE/DELETE/INSERT,
#     atomic), DELETE ... WHERE, SELECT <cols|*> FROM t [WHERE] [GROUP BY] [ORDER BY], ARRAY_AGG(x
#     ORDER BY ... LIMIT n)[OFFSET(k)|ORDINAL(k)], IF, 'lit' IN UNNEST(arr), three-valued logic,
#     STRUCT equality field by field (a NULL field makes it NULL), static name and type checking.
#   - Fault injection (POST /__test/faults), token expiry, stats and table dumps under /__test.
#
# What it does NOT model (a pass here proves nothing about these):
#   - streaming-buffer visibility delays (streamed rows are visible to queries at once) and, unless
#     --streaming-buffer-ms is given, BigQuery's "rows recently written by insertAll cannot be
#     modified by DML" rule (with it: a DELETE or MERGE that would delete or update a row written by
#     insertAll within MS fails with "... would affect rows in the streaming buffer ...", other rows
#     stay modifiable, and tables.get reports streamingBuffer; BigQuery's window is ~30 min);
#     _PARTITIONTIME and partition pruning, partition decorators beyond stripping "$suffix",
#     templateSuffix, partition expiry; the delay before streaming accepts columns added by
#     tables.patch;
#   - real quotas, rate limits and latency (only injected faults), real DML concurrency and
#     snapshot isolation (only injected "Could not serialize access" errors), multi-statement
#     transactions, job cancellation, locations other than echoing the request's;
#   - the full GoogleSQL language: no arithmetic, casts, functions other than IF/ARRAY_AGG/UNNEST,
#     joins, LIMIT, HAVING, subqueries in expressions, DDL, UPDATE/INSERT statements, legacy SQL,
#     query parameters, scripting; anything else is a 400 invalidQuery error;
#   - IAM, datasets as real resources (every dataset exists), views, load/extract/copy jobs, the
#     Storage Write/Read APIs, GEOGRAPHY/INTERVAL/RANGE types, column default values, row-level
#     security, self-signed JWT bearer tokens without the token exchange;
#   - nondeterminism: ties in ARRAY_AGG's ORDER BY and the row order of a SELECT without ORDER BY
#     follow insertion order here and are unspecified in BigQuery; insertId dedup is exact here and
#     only best effort in BigQuery (duplicates do happen there);
#   - BigQuery's exact error message wording in every case (reasons and HTTP codes follow the docs;
#     messages are close to BigQuery's but not guaranteed identical).

import argparse
import base64
import binascii
import datetime
import decimal
import functools
import gzip
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
except ImportError:  # pragma: no cover - reported at start-up when a key is given
    serialization = None

GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPES_OK = (
    "https://www.googleapis.com/auth/bigquery",
    "https://www.googleapis.com/auth/cloud-platform",
)
MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_ROWS_PER_REQUEST = 50000
DEDUP_SECONDS = 60.0
CLOCK_SKEW = 60
API_PREFIX = "/bigquery/v2"

DEC_CTX = decimal.Context(prec=200, rounding=decimal.ROUND_HALF_EVEN, Emax=999999, Emin=-999999)
# Every thread's default context: exact for every NUMERIC/BIGNUMERIC operation done here.
decimal.DefaultContext.prec = 200
decimal.DefaultContext.Emax = 999999
decimal.DefaultContext.Emin = -999999
decimal.setcontext(decimal.Context(prec=200, Emax=999999, Emin=-999999))
NUMERIC_MAX = Decimal("99999999999999999999999999999.999999999")
BIGNUMERIC_MAX = Decimal(
    "578960446186580977117854925043439539266.34992332820282019728792003956564819967"
)
BIGNUMERIC_MIN = -Decimal(
    "578960446186580977117854925043439539266.34992332820282019728792003956564819968"
)
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
EPOCH_ORD = datetime.date(1970, 1, 1).toordinal()
TS_MIN = (datetime.date(1, 1, 1).toordinal() - EPOCH_ORD) * 86400 * 1000000
TS_MAX = (datetime.date(9999, 12, 31).toordinal() - EPOCH_ORD + 1) * 86400 * 1000000 - 1

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class BQError(Exception):
    """An error answered with BigQuery's envelope (or stored as a job's errorResult)."""

    def __init__(self, code, reason, message, location=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.location = location

    def proto(self):
        e = {"reason": self.reason, "message": self.message}
        if self.location is not None:
            e["location"] = self.location
        return e

    def envelope(self):
        limits = ("quotaExceeded", "rateLimitExceeded")
        domain = "usageLimits" if self.reason in limits else "global"
        e = {"domain": domain, "reason": self.reason, "message": self.message}
        if self.location == "Authorization":
            e["location"] = self.location
            e["locationType"] = "header"
        elif self.location == "query":  # jobs.query's SQL parameter, as BigQuery reports it
            e["location"] = "q"
            e["locationType"] = "parameter"
        elif self.location is not None:
            e["location"] = self.location
            e["locationType"] = "other"
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [e],
                "status": STATUS_NAMES.get(self.code, "UNKNOWN"),
            }
        }


def invalid(msg):
    return BQError(400, "invalid", msg)


def invalid_query(msg):
    return BQError(400, "invalidQuery", msg)


# ============================================================================ types


class T:
    """A GoogleSQL type: kind is INT64, FLOAT64, NUMERIC, BIGNUMERIC, BOOL, STRING, BYTES,
    TIMESTAMP, DATE, TIME, DATETIME, JSON, STRUCT (fields: list of Field), ARRAY (elem) or NULL
    (the type of the NULL literal)."""

    __slots__ = ("kind", "fields", "elem", "precision", "scale", "max_length")

    def __init__(self, kind, fields=None, elem=None, precision=None, scale=None, max_length=None):
        self.kind = kind
        self.fields = fields
        self.elem = elem
        self.precision = precision
        self.scale = scale
        self.max_length = max_length

    def __str__(self):
        if self.kind == "STRUCT":
            return "STRUCT<%s>" % ", ".join("%s %s" % (f.name, f.type) for f in self.fields)
        if self.kind == "ARRAY":
            return "ARRAY<%s>" % self.elem
        return self.kind

    def field(self, name):
        low = name.lower()
        for f in self.fields:
            if f.name.lower() == low:
                return f
        return None


class Field:
    __slots__ = ("name", "type", "mode", "extra")

    def __init__(self, name, typ, mode="NULLABLE", extra=None):
        self.name = name
        self.type = typ  # for mode REPEATED: T('ARRAY', elem=...)
        self.mode = mode
        self.extra = extra or {}


NULLT = T("NULL")
INT64 = T("INT64")
BOOL = T("BOOL")
STRING = T("STRING")
NUMERIC_KINDS = ("INT64", "NUMERIC", "BIGNUMERIC", "FLOAT64")
NUM_RANK = {"INT64": 0, "NUMERIC": 1, "BIGNUMERIC": 2, "FLOAT64": 3}
DATE_KINDS = ("DATE", "TIME", "DATETIME", "TIMESTAMP")
ORDERABLE = NUMERIC_KINDS + DATE_KINDS + ("BOOL", "STRING", "BYTES")

REST_TYPES = {
    "STRING": "STRING",
    "BYTES": "BYTES",
    "INTEGER": "INT64",
    "INT64": "INT64",
    "FLOAT": "FLOAT64",
    "FLOAT64": "FLOAT64",
    "NUMERIC": "NUMERIC",
    "BIGNUMERIC": "BIGNUMERIC",
    "BOOLEAN": "BOOL",
    "BOOL": "BOOL",
    "TIMESTAMP": "TIMESTAMP",
    "DATE": "DATE",
    "TIME": "TIME",
    "DATETIME": "DATETIME",
    "JSON": "JSON",
    "RECORD": "STRUCT",
    "STRUCT": "STRUCT",
}
LEGACY_NAMES = {"INT64": "INTEGER", "FLOAT64": "FLOAT", "BOOL": "BOOLEAN", "STRUCT": "RECORD"}
NOT_MODELLED_TYPES = ("GEOGRAPHY", "INTERVAL", "RANGE")
FIELD_FORBIDDEN_CHARS = set('!"$()*,./;?@[\\]^`{}~')
RESERVED_PREFIXES = (
    "_table_", "_file_", "_partition", "_row_timestamp", "__root__", "_colidentifier"
)


def parse_schema_fields(fields, where, depth=0):
    """REST TableFieldSchema list -> list of Field; raises BQError(400 invalid)."""
    if not isinstance(fields, list):
        raise invalid("Invalid schema: %s fields must be a list" % where)
    if depth > 15:
        raise invalid("Invalid schema: RECORD nesting exceeds 15 levels")
    out = []
    seen = set()
    for fd in fields:
        if not isinstance(fd, dict):
            raise invalid("Invalid schema: a field must be an object")
        name = fd.get("name")
        if not isinstance(name, str) or not name or len(name) > 300:
            raise invalid("Invalid field name \"%s\". Field names must be 1-300 characters." % name)
        if any(c in FIELD_FORBIDDEN_CHARS or ord(c) < 32 for c in name) or name[0].isspace():
            raise invalid("Invalid field name \"%s\"." % name)
        if depth == 0 and name.lower().startswith(RESERVED_PREFIXES):
            raise invalid("Invalid field name \"%s\": the prefix is reserved." % name)
        if name.lower() in seen:
            raise invalid("Field %s already exists in schema" % name)
        seen.add(name.lower())
        tname = fd.get("type")
        if not isinstance(tname, str):
            raise invalid("Invalid schema: field %s has no type" % name)
        tname = tname.upper()
        if tname in NOT_MODELLED_TYPES:
            raise invalid(
                "Field %s: type %s is not modelled by the BigQuery test double" % (name, tname)
            )
        kind = REST_TYPES.get(tname)
        if kind is None:
            raise invalid("Invalid value for type: %s is not a valid value" % fd.get("type"))
        mode = (fd.get("mode") or "NULLABLE").upper()
        if mode not in ("NULLABLE", "REQUIRED", "REPEATED"):
            raise invalid("Invalid value for mode: %s is not a valid value" % fd.get("mode"))
        extra = {}
        for k in ("description", "precision", "scale", "maxLength", "collation", "policyTags"):
            if k in fd:
                extra[k] = fd[k]
        sub = fd.get("fields")
        if kind == "STRUCT":
            if not sub:
                raise invalid("Field %s is type RECORD but has no schema" % name)
            base = T("STRUCT", fields=parse_schema_fields(sub, where + "." + name, depth + 1))
        else:
            if sub:
                raise invalid("Field %s is type %s but has subfields" % (name, tname))
            base = T(kind)
            if kind in ("NUMERIC", "BIGNUMERIC") and ("precision" in fd or "scale" in fd):
                try:
                    p = int(fd.get("precision", 38 if kind == "NUMERIC" else 76))
                    s = int(fd.get("scale", 0))
                except (TypeError, ValueError):
                    raise invalid("Field %s: invalid precision/scale" % name)
                maxs = 9 if kind == "NUMERIC" else 38
                maxi = 29 if kind == "NUMERIC" else 38
                if not (0 <= s <= maxs and max(1, s) <= p and p - s <= maxi):
                    raise invalid("Field %s: invalid %s(%d, %d)" % (name, kind, p, s))
                base.precision, base.scale = p, s
            if kind in ("STRING", "BYTES") and "maxLength" in fd:
                try:
                    base.max_length = int(fd["maxLength"])
                except (TypeError, ValueError):
                    raise invalid("Field %s: invalid maxLength" % name)
        typ = T("ARRAY", elem=base) if mode == "REPEATED" else base
        out.append(Field(name, typ, mode, extra))
    return out


def field_to_rest(f):
    base = f.type.elem if f.mode == "REPEATED" else f.type
    if base.kind == "ARRAY":  # only in query results (ARRAY_AGG of arrays is not allowed anyway)
        base = base.elem
    kind = "INT64" if base.kind == "NULL" else base.kind  # SELECT NULL is INT64 in BigQuery
    d = {"name": f.name, "type": LEGACY_NAMES.get(kind, kind), "mode": f.mode}
    for k, v in f.extra.items():
        d[k] = v
    if base.kind == "STRUCT":
        d["fields"] = [field_to_rest(x) for x in base.fields]
    return d


def schema_to_rest(fields):
    return {"fields": [field_to_rest(f) for f in fields]}


def result_field(name, typ):
    """A query-result column: ARRAY types become REPEATED fields."""
    if typ.kind == "ARRAY":
        return Field(name, typ, "REPEATED")
    return Field(name, typ, "NULLABLE")


def same_type(a, b):
    if a.kind != b.kind:
        return False
    if a.kind == "STRUCT":
        return len(a.fields) == len(b.fields) and all(
            x.name.lower() == y.name.lower() and same_type(x.type, y.type)
            for x, y in zip(a.fields, b.fields)
        )
    if a.kind == "ARRAY":
        return same_type(a.elem, b.elem)
    return True


# ============================================================================ values

TS_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ Tt](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,}))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{1,2}(?::?\d{2})?)?\s*$"
)
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,}))?)?$")
DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ Tt](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,}))?)?)?$"
)
INT_RE = re.compile(r"^[+-]?\d+$")
NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class ValueErr(Exception):
    pass


def _frac(s):
    if not s:
        return 0
    if len(s) > 6:
        raise ValueErr("more than 6 fractional digits (BigQuery has microsecond precision)")
    return int(s.ljust(6, "0"))


def _date(y, mo, d):
    try:
        return datetime.date(int(y), int(mo), int(d))
    except ValueError as e:
        raise ValueErr(str(e))


def _time(h, mi, s, f):
    try:
        return datetime.time(int(h), int(mi), int(s or 0), _frac(f))
    except ValueError as e:
        raise ValueErr(str(e))


def parse_timestamp(s):
    m = TS_RE.match(s)
    if not m:
        raise ValueErr("Invalid timestamp")
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    day = _date(y, mo, d)
    tm = _time(h or 0, mi or 0, sec, frac)
    off = 0
    if tz and tz not in ("Z", "z", "UTC"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        if len(digits) <= 2:
            hh, mm = int(digits), 0
        else:
            hh, mm = int(digits[:-2]), int(digits[-2:])
        if hh > 14 or mm > 59:
            raise ValueErr("Invalid time zone")
        off = sign * (hh * 60 + mm)
    secs = (day.toordinal() - EPOCH_ORD) * 86400 + tm.hour * 3600 + tm.minute * 60 + tm.second
    micros = (secs - off * 60) * 1000000 + tm.microsecond
    if not TS_MIN <= micros <= TS_MAX:
        raise ValueErr("Timestamp out of range")
    return micros


def ts_to_string(m):
    days, rem = divmod(m, 86400 * 1000000)
    d = datetime.date.fromordinal(EPOCH_ORD + days)
    secs, us = divmod(rem, 1000000)
    hh, r = divmod(secs, 3600)
    mm, ss = divmod(r, 60)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d UTC" % (d.year, d.month, d.day, hh, mm, ss, us)


def ts_to_sci(m):
    if m == 0:
        return "0.0"
    s = format(Decimal(m).scaleb(-6, DEC_CTX).normalize(DEC_CTX), "E")
    mant, exp = s.split("E")
    if "." not in mant:
        mant += ".0"
    return "%sE%d" % (mant, int(exp))


def time_to_string(t, fixed=True):
    if fixed or t.microsecond:
        return "%02d:%02d:%02d.%06d" % (t.hour, t.minute, t.second, t.microsecond)
    return "%02d:%02d:%02d" % (t.hour, t.minute, t.second)


def date_to_string(d):
    return "%04d-%02d-%02d" % (d.year, d.month, d.day)


def num_to_string(d):
    if d == 0:
        return "0"
    s = format(d.normalize(DEC_CTX), "f")
    return s


def check_numeric(d, typ):
    """Raise ValueErr when Decimal d does not fit NUMERIC/BIGNUMERIC (or NUMERIC(P,S))."""
    if not d.is_finite():
        raise ValueErr("Invalid %s value: %s" % (typ.kind, d))
    scale = 9 if typ.kind == "NUMERIC" else 38
    if typ.scale is not None:
        scale = typ.scale
    exp = d.normalize(DEC_CTX).as_tuple().exponent
    if exp < -scale:
        raise ValueErr(
            "Invalid %s value: %s (more than %d fractional digits)" % (typ.kind, d, scale)
        )
    if typ.kind == "NUMERIC":
        if d.copy_abs() > NUMERIC_MAX:
            raise ValueErr("Invalid NUMERIC value: %s (out of range)" % d)
    elif not BIGNUMERIC_MIN <= d <= BIGNUMERIC_MAX:
        raise ValueErr("Invalid BIGNUMERIC value: %s (out of range)" % d)
    if typ.precision is not None:
        intdigits = len(str(int(d.copy_abs()))) if d.copy_abs() >= 1 else 0
        if intdigits > typ.precision - scale:
            raise ValueErr("Invalid %s(%d, %d) value: %s" % (typ.kind, typ.precision, scale, d))
    return d


def json_double(v):
    """insertAll's rows[].json is a protobuf Struct: a JSON number reaches BigQuery as an IEEE
    double. Returns the decimal value BigQuery sees (integers beyond 2**53 and decimals beyond ~16
    significant digits lose precision, which is why INT64/NUMERIC belong in strings)."""
    try:
        f = float(v)
    except OverflowError:
        raise ValueErr("Number out of range for a JSON (double) value: %s" % v)
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueErr("Number out of range for a JSON (double) value: %s" % v)
    return Decimal(repr(f))


def json_scalar_in(v, typ):
    """One non-NULL insertAll JSON value -> the internal value of a scalar type."""
    k = typ.kind
    if type(v) in (int, Decimal) and k in ("INT64", "NUMERIC", "BIGNUMERIC", "TIMESTAMP"):
        v = json_double(v)
        if k in ("NUMERIC", "BIGNUMERIC"):  # FLOAT64 -> NUMERIC rounds half away from zero
            scale = typ.scale if typ.scale is not None else (9 if k == "NUMERIC" else 38)
            v = v.quantize(Decimal(1).scaleb(-scale), rounding=decimal.ROUND_HALF_UP)
    if k == "STRING":
        if not isinstance(v, str):
            raise ValueErr("Cannot convert value to string.")
        if typ.max_length is not None and len(v) > typ.max_length:
            raise ValueErr("Value length %d exceeds maxLength %d" % (len(v), typ.max_length))
        return v
    if k == "INT64":
        if isinstance(v, bool):
            raise ValueErr("Cannot convert value to integer (bad value): %s" % v)
        if isinstance(v, Decimal) and v.is_finite() and v == v.to_integral_value():
            n = int(v)
        elif isinstance(v, str) and INT_RE.match(v.strip()):
            n = int(v.strip())
        else:
            raise ValueErr("Cannot convert value to integer (bad value): %s" % v)
        if not INT64_MIN <= n <= INT64_MAX:
            raise ValueErr("Cannot convert value to integer (out of range): %s" % v)
        return n
    if k == "FLOAT64":
        if isinstance(v, bool):
            raise ValueErr("Cannot convert value to floating point (bad value): %s" % v)
        if isinstance(v, (int, Decimal)):
            return float(v)
        if isinstance(v, str):
            s = v.strip()
            if NUM_RE.match(s) or s in ("NaN", "Infinity", "-Infinity", "inf", "-inf", "+inf"):
                return float(s)
        raise ValueErr("Cannot convert value to floating point (bad value): %s" % v)
    if k in ("NUMERIC", "BIGNUMERIC"):
        if isinstance(v, bool):
            raise ValueErr("Invalid %s value: %s" % (k, v))
        if isinstance(v, Decimal):
            d = v
        elif isinstance(v, str) and NUM_RE.match(v.strip()):
            d = Decimal(v.strip())
        else:
            raise ValueErr("Invalid %s value: %s" % (k, v))
        return check_numeric(d, typ)
    if k == "BOOL":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise ValueErr("Cannot convert value to boolean: %s" % v)
    if k == "BYTES":
        if not isinstance(v, str):
            raise ValueErr("Cannot convert value to bytes: expected a base64 string")
        try:
            b = base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise ValueErr("Could not decode base64 string to bytes.")
        if typ.max_length is not None and len(b) > typ.max_length:
            raise ValueErr("Value length %d exceeds maxLength %d" % (len(b), typ.max_length))
        return b
    if k == "TIMESTAMP":
        if isinstance(v, bool):
            raise ValueErr("Cannot convert value to timestamp: %s" % v)
        if isinstance(v, (int, Decimal)):
            m = int((Decimal(v) * 1000000).to_integral_value(decimal.ROUND_HALF_EVEN))
            if not TS_MIN <= m <= TS_MAX:
                raise ValueErr("Timestamp out of range")
            return m
        if isinstance(v, str):
            try:
                return parse_timestamp(v)
            except ValueErr as e:
                raise ValueErr("Couldn't convert value to timestamp: %s: %s" % (v, e))
        raise ValueErr("Cannot convert value to timestamp: %s" % v)
    if k == "DATE":
        m = DATE_RE.match(v) if isinstance(v, str) else None
        if not m:
            raise ValueErr("Invalid date: %s" % v)
        return _date(*m.groups())
    if k == "TIME":
        m = TIME_RE.match(v) if isinstance(v, str) else None
        if not m:
            raise ValueErr("Invalid time: %s" % v)
        return _time(*m.groups())
    if k == "DATETIME":
        m = DATETIME_RE.match(v) if isinstance(v, str) else None
        if not m:
            raise ValueErr("Invalid datetime: %s" % v)
        g = m.groups()
        day = _date(*g[:3])
        tm = _time(g[3] or 0, g[4] or 0, g[5], g[6])
        return datetime.datetime.combine(day, tm)
    if k == "JSON":
        if isinstance(v, str):
            try:
                parsed = json.loads(v, parse_float=Decimal)
            except ValueError:
                raise ValueErr("Invalid JSON string: %s" % v[:60])
        else:
            parsed = v
        return JsonVal(json.dumps(parsed, separators=(",", ":"), default=_json_default))
    raise ValueErr("unsupported type %s" % k)


class JsonVal:
    """A JSON column value (kept as compact JSON text; not comparable, as in BigQuery)."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def _json_default(o):
    if isinstance(o, Decimal):
        return float(o) if not o == o.to_integral_value() else int(o)
    raise TypeError(type(o).__name__)


def _join(loc, name):
    return (loc + "." + name) if loc else name


def compile_row(fields):
    """A table's (or RECORD's) field list -> conv(obj, loc, ignore_unknown) -> row dict, converting
    one insertAll "json" object; raises RowErr(location, message). Compiled once per schema."""
    exact = {f.name for f in fields}
    lower = {f.name.lower(): f.name for f in fields}
    items = [(f.name, compile_value(f)) for f in fields]

    def conv(obj, loc, ign):
        if type(obj) is not dict:
            raise RowErr(loc, "Row must be a JSON object.")
        src = obj
        for key in obj:
            if key not in exact:
                if lower.get(key.lower()) is None and not ign:
                    where = _join(loc, key)
                    raise RowErr(where, "no such field: %s." % where)
                src = None
        if src is None:  # names are case-insensitive; unknown ones ignored (ignoreUnknownValues)
            src = {}
            for key, val in obj.items():
                canon = lower.get(key.lower())
                if canon is not None:
                    src[canon] = val
        return {name: c(src.get(name), loc, ign) for name, c in items}

    return conv


class RowErr(Exception):
    def __init__(self, location, message):
        super().__init__(message)
        self.location = location
        self.message = message


def compile_value(f):
    name = f.name
    if f.mode == "REPEATED":
        one = compile_one(f.type.elem, name)

        def rep(v, loc, ign):
            if v is None:
                return []
            if type(v) is not list:
                where = _join(loc, name)
                raise RowErr(where, "Repeated field %s must be a JSON array." % where)
            out = []
            for e in v:
                if e is None:
                    where = _join(loc, name)
                    raise RowErr(where, "Repeated field %s contains a null element." % where)
                out.append(one(e, loc, ign))
            return out

        return rep
    one = compile_one(f.type, name)
    required = f.mode == "REQUIRED"

    def val(v, loc, ign):
        if v is None:
            if required:
                where = _join(loc, name)
                raise RowErr(where, "Missing required field: %s." % where)
            return None
        if type(v) is list:
            where = _join(loc, name)
            raise RowErr(where, "Array specified for non-repeated field: %s." % where)
        return one(v, loc, ign)

    return val


def compile_one(typ, name):
    if typ.kind == "STRUCT":
        sub = compile_row(typ.fields)

        def record(v, loc, ign):
            where = _join(loc, name)
            if type(v) is not dict:
                raise RowErr(
                    where, "Cannot convert value to a RECORD: %s must be a JSON object." % where
                )
            return sub(v, where, ign)

        return record

    def scalar(v, loc, ign):
        if type(v) is dict:
            where = _join(loc, name)
            raise RowErr(where, "This field: %s is not a record." % where)
        try:
            return json_scalar_in(v, typ)
        except ValueErr as e:
            where = _join(loc, name)
            raise RowErr(where, "%s Field: %s; Value: %s" % (e, where, _short(v)))

    if typ.kind == "STRING" and typ.max_length is None:

        def string(v, loc, ign):
            return v if type(v) is str else scalar(v, loc, ign)

        return string
    if typ.kind == "INT64":

        def integer(v, loc, ign):
            if type(v) is int and -(2**53) <= v <= 2**53:  # exact as a double too
                return v
            return scalar(v, loc, ign)

        return integer
    return scalar


def _short(v):
    s = v if isinstance(v, str) else json.dumps(v, default=str)
    return s if len(s) <= 80 else s[:77] + "..."


def value_test_json(v, typ):
    """Internal value -> the /__test dump representation."""
    if v is None:
        return None
    k = typ.kind
    if k == "STRUCT":
        return {f.name: value_test_json(v.get(f.name), f.type) for f in typ.fields}
    if k == "ARRAY":
        return [value_test_json(e, typ.elem) for e in v]
    if k in ("NUMERIC", "BIGNUMERIC"):
        return num_to_string(v)
    if k == "TIMESTAMP":
        return ts_to_string(v)
    if k == "DATE":
        return date_to_string(v)
    if k == "TIME":
        return time_to_string(v)
    if k == "DATETIME":
        return date_to_string(v.date()) + " " + time_to_string(v.time())
    if k == "BYTES":
        return base64.b64encode(v).decode()
    if k == "JSON":
        return v.text
    if k == "FLOAT64" and (v != v or v in (float("inf"), float("-inf"))):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return v


def value_fv(v, typ, int64_ts=False):
    """Internal value -> the tabledata/query "f/v" cell value."""
    if v is None:
        return None
    k = typ.kind
    if k == "STRUCT":
        return {"f": [{"v": value_fv(v.get(f.name), f.type, int64_ts)} for f in typ.fields]}
    if k == "ARRAY":
        return [{"v": value_fv(e, typ.elem, int64_ts)} for e in v]
    if k == "INT64":
        return str(v)
    if k == "FLOAT64":
        if v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if k in ("NUMERIC", "BIGNUMERIC"):
        return num_to_string(v)
    if k == "BOOL":
        return "true" if v else "false"
    if k == "TIMESTAMP":
        return str(v) if int64_ts else ts_to_sci(v)
    if k == "DATE":
        return date_to_string(v)
    if k == "TIME":
        return time_to_string(v, fixed=False)
    if k == "DATETIME":
        return date_to_string(v.date()) + "T" + time_to_string(v.time(), fixed=False)
    if k == "BYTES":
        return base64.b64encode(v).decode()
    if k == "JSON":
        return v.text
    return v


# ============================================================================ SQL: lexer

RESERVED = set(
    """ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE
    CROSS CUBE CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS
    EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER
    INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL
    NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT
    ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING
    WHEN WHERE WINDOW WITH WITHIN""".split()
)


class Tok:
    __slots__ = ("kind", "val", "pos")

    def __init__(self, kind, val, pos):
        self.kind = kind  # ID QID INT STR OP EOF
        self.val = val
        self.pos = pos

    def is_kw(self, *words):
        return self.kind == "ID" and self.val.upper() in words


def _linecol(text, pos):
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return "[%d:%d]" % (line, col)


class SqlError(Exception):
    def __init__(self, msg, pos=None, code=400, reason="invalidQuery"):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos
        self.code = code
        self.reason = reason


STR_ESC = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "`": "`", "0": "\0"}


def lex(text):
    toks = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if text.startswith("--", i) or c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SqlError("Syntax error: Unclosed comment", i)
            i = j + 2
            continue
        if c.isalpha() or c == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            if j < n and text[j] in "'\"" and text[i:j].lower() in ("r", "b", "rb", "br"):
                raise SqlError("Syntax error: raw and bytes literals are not modelled", i)
            toks.append(Tok("ID", text[i:j], i))
            i = j
            continue
        if c.isdigit():
            j = i
            while j < n and text[j].isdigit():
                j += 1
            if j < n and (text[j] in ".eE" or text[j].isalpha() or text[j] == "_"):
                raise SqlError(
                    "Syntax error: only integer literals are modelled by the test double", i
                )
            toks.append(Tok("INT", int(text[i:j]), i))
            i = j
            continue
        if c == "`":
            j = i + 1
            buf = []
            while j < n and text[j] != "`":
                if text[j] == "\\" and j + 1 < n:
                    buf.append(STR_ESC.get(text[j + 1], text[j + 1]))
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise SqlError("Syntax error: Unclosed identifier literal", i)
            if not buf:
                raise SqlError("Syntax error: Invalid empty identifier", i)
            toks.append(Tok("QID", "".join(buf), i))
            i = j + 1
            continue
        if c in "'\"":
            if text.startswith(c * 3, i):
                raise SqlError("Syntax error: triple-quoted strings are not modelled", i)
            j = i + 1
            buf = []
            while j < n and text[j] != c:
                if text[j] == "\n":
                    raise SqlError("Syntax error: Unclosed string literal", i)
                if text[j] == "\\" and j + 1 < n:
                    e = text[j + 1]
                    if e not in STR_ESC:
                        raise SqlError("Syntax error: Illegal escape sequence: \\%s" % e, j)
                    buf.append(STR_ESC[e])
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            if j >= n:
                raise SqlError("Syntax error: Unclosed string literal", i)
            toks.append(Tok("STR", "".join(buf), i))
            i = j + 1
            continue
        two = text[i : i + 2]
        if two in ("!=", "<>", "<=", ">="):
            toks.append(Tok("OP", two, i))
            i += 2
            continue
        if c in "=<>(),.[]*;-":
            toks.append(Tok("OP", c, i))
            i += 1
            continue
        raise SqlError('Syntax error: Illegal input character "%s"' % c, i)
    toks.append(Tok("EOF", None, n))
    return toks


# ============================================================================ SQL: AST + parser


class Node:
    pos = 0

    def key(self):
        raise NotImplementedError


class Lit(Node):
    def __init__(self, value, typ, pos):
        self.value, self.type, self.pos = value, typ, pos

    def key(self):
        return ("lit", self.type.kind, self.value)


class Path(Node):
    def __init__(self, parts, pos):
        self.parts, self.pos = parts, pos

    def key(self):
        return ("path",) + tuple(p.lower() for p in self.parts)


class FieldAccess(Node):
    def __init__(self, expr, name, pos):
        self.expr, self.name, self.pos = expr, name, pos

    def key(self):
        return ("field", self.expr.key(), self.name.lower())


class Subscript(Node):
    def __init__(self, expr, mode, index, pos):
        self.expr, self.mode, self.index, self.pos = expr, mode, index, pos

    def key(self):
        return ("sub", self.expr.key(), self.mode, self.index.key())


class Cmp(Node):
    def __init__(self, op, l, r, pos):
        self.op, self.l, self.r, self.pos = op, l, r, pos

    def key(self):
        return ("cmp", self.op, self.l.key(), self.r.key())


class IsNull(Node):
    def __init__(self, expr, negate, pos):
        self.expr, self.negate, self.pos = expr, negate, pos

    def key(self):
        return ("isnull", self.negate, self.expr.key())


class Logic(Node):
    def __init__(self, op, args, pos):
        self.op, self.args, self.pos = op, args, pos  # AND / OR / NOT

    def key(self):
        return ("logic", self.op) + tuple(a.key() for a in self.args)


class IfExpr(Node):
    def __init__(self, c, a, b, pos):
        self.c, self.a, self.b, self.pos = c, a, b, pos

    def key(self):
        return ("if", self.c.key(), self.a.key(), self.b.key())


class InUnnest(Node):
    def __init__(self, lhs, arr, negate, pos):
        self.lhs, self.arr, self.negate, self.pos = lhs, arr, negate, pos

    def key(self):
        return ("inunnest", self.negate, self.lhs.key(), self.arr.key())


class ArrayAgg(Node):
    def __init__(self, expr, order, limit, pos):
        self.expr, self.order, self.limit, self.pos = expr, order, limit, pos

    def key(self):
        return ("agg", id(self))


class Select:
    def __init__(self):
        self.items = []  # (expr or '*', alias, pos)
        self.source = None  # TableRef
        self.where = None
        self.group = None
        self.order = None  # [(expr, desc)]
        self.pos = 0


class TableRef:
    def __init__(self, path=None, sub=None, alias=None, pos=0):
        self.path, self.sub, self.alias, self.pos = path, sub, alias, pos


class Merge:
    pass


class Delete:
    pass


class Parser:
    def __init__(self, text):
        self.text = text
        self.toks = lex(text)
        self.i = 0

    @property
    def t(self):
        return self.toks[self.i]

    def peek(self, k=1):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def err(self, tok=None, what=None):
        tok = tok or self.t
        if what:
            raise SqlError("Syntax error: %s" % what, tok.pos)
        if tok.kind == "EOF":
            raise SqlError("Syntax error: Unexpected end of script", tok.pos)
        if tok.kind == "ID" and tok.val.upper() in RESERVED:
            raise SqlError("Syntax error: Unexpected keyword %s" % tok.val.upper(), tok.pos)
        if tok.kind in ("ID", "QID"):
            raise SqlError('Syntax error: Unexpected identifier "%s"' % tok.val, tok.pos)
        if tok.kind == "STR":
            raise SqlError('Syntax error: Unexpected string literal "%s"' % tok.val, tok.pos)
        if tok.kind == "INT":
            raise SqlError('Syntax error: Unexpected integer literal "%s"' % tok.val, tok.pos)
        raise SqlError('Syntax error: Unexpected "%s"' % tok.val, tok.pos)

    def adv(self):
        t = self.t
        self.i += 1
        return t

    def accept_kw(self, *words):
        if self.t.is_kw(*words):
            return self.adv()
        return None

    def expect_kw(self, word):
        if not self.t.is_kw(word):
            self.err(what="Expected keyword %s but got %s" % (word, self._desc(self.t)))
        return self.adv()

    def accept_op(self, op):
        if self.t.kind == "OP" and self.t.val == op:
            return self.adv()
        return None

    def expect_op(self, op):
        if not (self.t.kind == "OP" and self.t.val == op):
            self.err(what='Expected "%s" but got %s' % (op, self._desc(self.t)))
        return self.adv()

    @staticmethod
    def _desc(t):
        if t.kind == "EOF":
            return "end of script"
        if t.kind == "ID" and t.val.upper() in RESERVED:
            return "keyword %s" % t.val.upper()
        if t.kind in ("ID", "QID"):
            return 'identifier "%s"' % t.val
        return '"%s"' % t.val

    def ident(self):
        t = self.t
        if t.kind == "QID":
            return self.adv().val
        if t.kind == "ID" and t.val.upper() not in RESERVED:
            return self.adv().val
        self.err()

    def is_ident(self, t=None):
        t = t or self.t
        return t.kind == "QID" or (t.kind == "ID" and t.val.upper() not in RESERVED)

    # ------------------------------------------------ statements
    def statement(self):
        t = self.t
        if t.is_kw("MERGE"):
            st = self.merge()
        elif t.is_kw("DELETE"):
            st = self.delete()
        elif t.is_kw("SELECT"):
            st = self.select()
        elif t.kind == "OP" and t.val == "(":
            self.err(what="parenthesized query statements are not modelled by the test double")
        else:
            if t.kind == "ID" and t.val.upper() in (
                "UPDATE", "INSERT", "CREATE", "DROP", "ALTER", "TRUNCATE", "WITH", "BEGIN",
                "DECLARE", "CALL", "EXPORT", "LOAD",
            ):
                self.err(
                    what="%s statements are not modelled by the BigQuery test double"
                    % t.val.upper()
                )
            self.err()
        self.accept_op(";")
        if self.t.kind != "EOF":
            self.err()
        return st

    def table_path(self):
        t = self.t
        parts = []
        if t.kind == "QID":
            parts.extend(self.adv().val.split("."))
        elif self.is_ident():
            parts.append(self.adv().val)
        else:
            self.err()
        while self.t.kind == "OP" and self.t.val == "." and self.is_ident(self.peek()):
            self.adv()
            parts.extend(self.adv().val.split("."))
        if any(not p for p in parts):
            raise SqlError("Syntax error: Invalid table name `%s`" % ".".join(parts), t.pos)
        return parts, t.pos

    def alias_opt(self):
        if self.accept_kw("AS"):
            return self.ident()
        stop = ("WHEN", "USING", "ON", "SET", "WHERE", "GROUP", "ORDER")
        if self.is_ident() and not self.t.is_kw(*stop):
            return self.ident()
        return None

    def table_ref(self):
        pos = self.t.pos
        if self.accept_op("("):
            sub = self.select()
            self.expect_op(")")
            return TableRef(sub=sub, alias=self.alias_opt(), pos=pos)
        if self.t.is_kw("UNNEST"):
            self.err(what="UNNEST in FROM is not modelled by the test double")
        path, pos = self.table_path()
        if self.t.kind == "OP" and self.t.val == ",":
            self.err(what="joins are not modelled by the test double")
        return TableRef(path=path, alias=self.alias_opt(), pos=pos)

    def select(self):
        s = Select()
        s.pos = self.expect_kw("SELECT").pos
        if self.t.is_kw("DISTINCT", "ALL", "AS"):
            self.err(what="SELECT %s is not modelled by the test double" % self.t.val.upper())
        while True:
            pos = self.t.pos
            if self.accept_op("*"):
                s.items.append(("*", None, pos))
            else:
                e = self.expr()
                alias = None
                if self.accept_kw("AS"):
                    alias = self.ident()
                elif self.is_ident() and not self.t.is_kw("FROM"):
                    alias = self.ident()
                s.items.append((e, alias, pos))
            if not self.accept_op(","):
                break
        self.expect_kw("FROM")
        s.source = self.table_ref()
        if self.t.is_kw("JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS"):
            self.err(what="joins are not modelled by the test double")
        if self.accept_kw("WHERE"):
            s.where = self.expr()
        if self.accept_kw("GROUP"):
            self.expect_kw("BY")
            s.group = [self.expr()]
            while self.accept_op(","):
                s.group.append(self.expr())
        if self.t.is_kw("HAVING", "QUALIFY", "WINDOW"):
            self.err(what="%s is not modelled by the test double" % self.t.val.upper())
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            s.order = self.order_items()
        if self.t.is_kw("LIMIT", "UNION", "EXCEPT", "INTERSECT"):
            self.err(what="%s is not modelled by the test double" % self.t.val.upper())
        return s

    def order_items(self):
        out = []
        while True:
            e = self.expr()
            desc = False
            if self.accept_kw("DESC"):
                desc = True
            else:
                self.accept_kw("ASC")
            if self.t.is_kw("NULLS"):
                self.err(what="NULLS FIRST/LAST is not modelled by the test double")
            out.append((e, desc))
            if not self.accept_op(","):
                return out

    def delete(self):
        d = Delete()
        d.pos = self.expect_kw("DELETE").pos
        self.accept_kw("FROM")
        d.path, d.path_pos = self.table_path()
        d.alias = self.alias_opt()
        if not self.t.is_kw("WHERE"):
            if self.t.kind == "EOF" or (self.t.kind == "OP" and self.t.val == ";"):
                raise SqlError("DELETE must have a WHERE clause", self.t.pos)
            self.err()
        self.adv()
        d.where = self.expr()
        return d

    def merge(self):
        m = Merge()
        m.pos = self.expect_kw("MERGE").pos
        self.accept_kw("INTO")
        m.path, m.path_pos = self.table_path()
        m.alias = self.alias_opt()
        self.expect_kw("USING")
        m.source = self.table_ref()
        self.expect_kw("ON")
        m.on = self.expr()
        m.clauses = []
        while self.t.is_kw("WHEN"):
            wpos = self.adv().pos
            if self.accept_kw("NOT"):
                self.expect_kw("MATCHED")
                if self.accept_kw("BY"):
                    if self.accept_kw("SOURCE"):
                        self.err(
                            what="WHEN NOT MATCHED BY SOURCE is not modelled by the test double"
                        )
                    self.expect_kw("TARGET")
                matched = False
            else:
                self.expect_kw("MATCHED")
                matched = True
            cond = None
            if self.accept_kw("AND"):
                cond = self.expr()
            self.expect_kw("THEN")
            if matched and self.accept_kw("UPDATE"):
                self.expect_kw("SET")
                sets = []
                while True:
                    ppos = self.t.pos
                    parts = [self.ident()]
                    while self.accept_op("."):
                        parts.append(self.ident())
                    self.expect_op("=")
                    sets.append((parts, self.expr(), ppos))
                    if not self.accept_op(","):
                        break
                m.clauses.append(("UPDATE", cond, sets, wpos))
            elif matched and self.accept_kw("DELETE"):
                m.clauses.append(("DELETE", cond, None, wpos))
            elif not matched and self.accept_kw("INSERT"):
                if self.t.is_kw("ROW"):
                    self.err(what="INSERT ROW is not modelled by the test double")
                cols = None
                if self.accept_op("("):
                    cols = [(self.t.pos, self.ident())]
                    while self.accept_op(","):
                        cols.append((self.t.pos, self.ident()))
                    self.expect_op(")")
                if cols is None:
                    self.err(what="INSERT without a column list is not modelled by the test double")
                self.expect_kw("VALUES")
                self.expect_op("(")
                vals = [self.expr()]
                while self.accept_op(","):
                    vals.append(self.expr())
                self.expect_op(")")
                m.clauses.append(("INSERT", cond, (cols, vals), wpos))
            else:
                self.err()
        if not m.clauses:
            self.err(what="Expected keyword WHEN but got %s" % self._desc(self.t))
        return m

    # ------------------------------------------------ expressions
    def expr(self):
        return self.or_expr()

    def or_expr(self):
        e = self.and_expr()
        while self.t.is_kw("OR"):
            pos = self.adv().pos
            e = Logic("OR", [e, self.and_expr()], pos)
        return e

    def and_expr(self):
        e = self.not_expr()
        while self.t.is_kw("AND"):
            pos = self.adv().pos
            e = Logic("AND", [e, self.not_expr()], pos)
        return e

    def not_expr(self):
        if self.t.is_kw("NOT"):
            pos = self.adv().pos
            return Logic("NOT", [self.not_expr()], pos)
        return self.cmp_expr()

    def cmp_expr(self):
        e = self.postfix()
        t = self.t
        if t.kind == "OP" and t.val in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.adv()
            r = self.postfix()
            e = Cmp("!=" if t.val == "<>" else t.val, e, r, t.pos)
        elif t.is_kw("IS"):
            self.adv()
            neg = bool(self.accept_kw("NOT"))
            if not self.accept_kw("NULL"):
                self.err(what="only IS [NOT] NULL is modelled by the test double")
            e = IsNull(e, neg, t.pos)
        elif t.is_kw("IN") or (t.is_kw("NOT") and self.peek().is_kw("IN")):
            neg = bool(self.accept_kw("NOT"))
            self.expect_kw("IN")
            if not self.t.is_kw("UNNEST"):
                self.err(what="only IN UNNEST(array) is modelled by the test double")
            self.adv()
            self.expect_op("(")
            arr = self.expr()
            self.expect_op(")")
            e = InUnnest(e, arr, neg, t.pos)
        elif t.is_kw("LIKE", "BETWEEN") or (
            t.is_kw("NOT") and self.peek().is_kw("LIKE", "BETWEEN")
        ):
            self.err(what="LIKE/BETWEEN are not modelled by the test double")
        t = self.t
        if t.kind == "OP" and t.val in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.err()
        return e

    def postfix(self):
        e = self.primary()
        while True:
            t = self.t
            if t.kind == "OP" and t.val == ".":
                self.adv()
                name = self.ident()
                if isinstance(e, Path):
                    e = Path(e.parts + [name], e.pos)
                else:
                    e = FieldAccess(e, name, t.pos)
            elif t.kind == "OP" and t.val == "[":
                self.adv()
                mt = self.t
                subs = ("OFFSET", "ORDINAL", "SAFE_OFFSET", "SAFE_ORDINAL")
                if mt.is_kw(*subs) and self.peek().val == "(":
                    self.adv()
                    self.expect_op("(")
                    idx = self.expr()
                    self.expect_op(")")
                    mode = mt.val.upper()
                else:
                    idx = self.expr()
                    mode = "OFFSET"
                self.expect_op("]")
                e = Subscript(e, mode, idx, t.pos)
            else:
                return e

    def primary(self):
        t = self.t
        if t.kind == "INT":
            self.adv()
            return Lit(t.val, INT64, t.pos)
        if t.kind == "OP" and t.val == "-" and self.peek().kind == "INT":
            self.adv()
            v = -self.adv().val
            return Lit(v, INT64, t.pos)
        if t.kind == "STR":
            self.adv()
            return Lit(t.val, STRING, t.pos)
        if t.kind == "OP" and t.val == "(":
            self.adv()
            if self.t.is_kw("SELECT"):
                self.err(what="scalar subqueries are not modelled by the test double")
            e = self.expr()
            self.expect_op(")")
            return e
        if t.kind == "ID":
            u = t.val.upper()
            if u == "NULL":
                self.adv()
                return Lit(None, NULLT, t.pos)
            if u in ("TRUE", "FALSE"):
                self.adv()
                return Lit(u == "TRUE", BOOL, t.pos)
            if u == "IF" and self.peek().val == "(":
                self.adv()
                self.adv()
                c = self.expr()
                self.expect_op(",")
                a = self.expr()
                self.expect_op(",")
                b = self.expr()
                self.expect_op(")")
                return IfExpr(c, a, b, t.pos)
            typed = ("DATE", "TIMESTAMP", "DATETIME", "TIME", "NUMERIC", "BIGNUMERIC", "JSON")
            if u in typed and self.peek().kind == "STR":
                self.err(what="typed literals are not modelled by the test double")
            if self.peek().kind == "OP" and self.peek().val == "(":
                if u == "ARRAY_AGG":
                    return self.array_agg()
                if u in RESERVED:
                    self.err(what="%s(...) is not modelled by the test double" % u)
                raise SqlError("Function not found: %s" % t.val, t.pos)
        if self.is_ident():
            self.adv()
            return Path([t.val], t.pos)
        self.err()

    def array_agg(self):
        pos = self.adv().pos
        self.expect_op("(")
        if self.t.is_kw("DISTINCT"):
            self.err(what="ARRAY_AGG(DISTINCT ...) is not modelled by the test double")
        e = self.expr()
        if self.t.is_kw("IGNORE", "RESPECT"):
            self.err(what="IGNORE/RESPECT NULLS is not modelled by the test double")
        order = None
        limit = None
        if self.accept_kw("ORDER"):
            self.expect_kw("BY")
            order = self.order_items()
        if self.accept_kw("LIMIT"):
            if self.t.kind != "INT":
                self.err(what="LIMIT expects an integer literal")
            limit = self.adv().val
        self.expect_op(")")
        if self.t.is_kw("OVER"):
            self.err(what="analytic functions are not modelled by the test double")
        return ArrayAgg(e, order, limit, pos)


# ============================================================================ SQL: binding


class Source:
    def __init__(self, alias, fields, key):
        self.alias = alias
        self.fields = fields
        self.key = key
        self.struct = T("STRUCT", fields=fields)
        self.byname = {f.name.lower(): f for f in fields}


class Scope:
    def __init__(self, sources, group=None):
        self.sources = sources
        self.group = group  # GroupCtx when binding a grouped SELECT list


class GroupCtx:
    def __init__(self, exprs, row_scope):
        self.exprs = exprs  # bound group-by exprs: list of (key, type, index)
        self.row_scope = row_scope
        self.aggs = []  # (bound fn over list of row ctx, type)


def qerr(msg, pos=None):
    return SqlError(msg, pos)


def bind(e, scope):
    """Returns (type, fn(ctx) -> value). Static name and type checks raise SqlError."""
    g = scope.group
    if g is not None:
        k = e.key()
        for gk, gt, gi in g.exprs:
            if gk == k:
                return gt, (lambda ctx, gi=gi: ctx["__keys"][gi])
        if isinstance(e, ArrayAgg):
            return bind_array_agg(e, g)
        if isinstance(e, Path):
            raise qerr(
                "SELECT list expression references column %s which is neither grouped nor "
                "aggregated"
                % ".".join(e.parts),
                e.pos,
            )
    elif isinstance(e, ArrayAgg):
        raise qerr("Aggregate function ARRAY_AGG not allowed in this context", e.pos)

    if isinstance(e, Lit):
        v = e.value
        return e.type, (lambda ctx: v)
    if isinstance(e, Path):
        return bind_path(e, scope)
    if isinstance(e, FieldAccess):
        t, f = bind(e.expr, scope)
        return field_of(t, f, e.name, e.pos)
    if isinstance(e, Subscript):
        t, f = bind(e.expr, scope)
        if t.kind != "ARRAY":
            raise qerr(
                "Array element access with array position is not supported on type %s" % t, e.pos
            )
        it, ifn = bind(e.index, scope)
        if it.kind not in ("INT64", "NULL"):
            raise qerr("Array position must be INT64, got %s" % it, e.index.pos)
        mode = e.mode
        base = 1 if "ORDINAL" in mode else 0
        safe = mode.startswith("SAFE")

        def sub(ctx):
            a = f(ctx)
            i = ifn(ctx)
            if a is None or i is None:
                return None
            j = i - base
            if 0 <= j < len(a):
                return a[j]
            if safe:
                return None
            raise SqlError("Array index %d is out of bounds (overflow)" % i, e.pos)

        return t.elem, sub
    if isinstance(e, Logic):
        bound = []
        for a in e.args:
            t, f = bind(a, scope)
            if t.kind not in ("BOOL", "NULL"):
                raise qerr(
                    "No matching signature for operator %s for argument types: %s" % (e.op, t),
                    a.pos,
                )
            bound.append(f)
        if e.op == "NOT":
            f0 = bound[0]
            return BOOL, (lambda ctx: None if (v := f0(ctx)) is None else not v)
        fa, fb = bound
        if e.op == "AND":

            def land(ctx):
                a = fa(ctx)
                if a is False:
                    return False
                b = fb(ctx)
                if b is False:
                    return False
                if a is None or b is None:
                    return None
                return True

            return BOOL, land

        def lor(ctx):
            a = fa(ctx)
            if a is True:
                return True
            b = fb(ctx)
            if b is True:
                return True
            if a is None or b is None:
                return None
            return False

        return BOOL, lor
    if isinstance(e, IsNull):
        t, f = bind(e.expr, scope)
        if e.negate:
            return BOOL, (lambda ctx: f(ctx) is not None)
        return BOOL, (lambda ctx: f(ctx) is None)
    if isinstance(e, Cmp):
        return bind_cmp(e, scope)
    if isinstance(e, IfExpr):
        ct, cf = bind(e.c, scope)
        if ct.kind not in ("BOOL", "NULL"):
            raise qerr(
                "No matching signature for function IF for argument types: %s, ..." % ct, e.c.pos
            )
        at, af = bind(e.a, scope)
        bt, bf = bind(e.b, scope)
        rt = supertype(at, bt, e.a, e.b)
        if rt is None:
            raise qerr(
                "No matching signature for function IF for argument types: BOOL, %s, %s" % (at, bt),
                e.pos,
            )
        ca = converter(at, rt, e.a.pos)
        cb = converter(bt, rt, e.b.pos)
        return rt, (lambda ctx: ca(af(ctx)) if cf(ctx) is True else cb(bf(ctx)))
    if isinstance(e, InUnnest):
        lt, lf = bind(e.lhs, scope)
        at, af = bind(e.arr, scope)
        if at.kind != "ARRAY":
            raise qerr(
                "Values referenced in UNNEST must be arrays. UNNEST contains expression of type %s"
                % at,
                e.arr.pos,
            )
        eq = equality_fn(lt, at.elem, e.lhs, None, e.pos)
        neg = e.negate

        def inu(ctx):
            v = lf(ctx)
            arr = af(ctx) or []
            if not arr:
                r = False
            elif v is None:
                r = None
            else:
                r = False
                for x in arr:
                    c = eq(v, x)
                    if c is True:
                        r = True
                        break
                    if c is None:
                        r = None
            if neg and r is not None:
                return not r
            return r

        return BOOL, inu
    raise qerr("Syntax error: expression not modelled", getattr(e, "pos", None))


def bind_path(e, scope):
    parts = e.parts
    first = parts[0].lower()
    src = None
    for s in scope.sources:
        if s.alias is not None and s.alias.lower() == first:
            src = s
            break
    if src is not None:
        key = src.key
        t = src.struct
        fn = lambda ctx: ctx[key]  # noqa: E731
        rest = parts[1:]
    else:
        found = [s for s in scope.sources if first in s.byname]
        if len(found) > 1:
            raise qerr("Column name %s is ambiguous" % parts[0], e.pos)
        if not found:
            raise qerr("Unrecognized name: %s" % parts[0], e.pos)
        s = found[0]
        f = s.byname[first]
        key, name = s.key, f.name
        t = f.type
        fn = _row_getter(key, name)
        rest = parts[1:]
    for p in rest:
        t, fn = field_of(t, fn, p, e.pos)
    return t, fn


def _row_getter(key, name):
    def get(ctx):
        r = ctx[key]
        return None if r is None else r.get(name)

    return get


def field_of(t, fn, name, pos):
    if t.kind == "ARRAY":
        raise qerr(
            "Cannot access field %s on a value with type %s" % (name, t), pos
        )
    if t.kind != "STRUCT":
        raise qerr("Cannot access field %s on a value with type %s" % (name, t), pos)
    f = t.field(name)
    if f is None:
        raise qerr("Field name %s does not exist in %s" % (name, t), pos)
    fname = f.name

    def get(ctx):
        v = fn(ctx)
        return None if v is None else v.get(fname)

    return f.type, get


def comparable_kinds(a, b):
    if a.kind == "NULL" or b.kind == "NULL":
        return True
    if a.kind in NUMERIC_KINDS and b.kind in NUMERIC_KINDS:
        return True
    return a.kind == b.kind


def coerce_literal(lit_node, target):
    """A STRING literal compared with a date/time type is coerced, as GoogleSQL does."""
    if (
        not isinstance(lit_node, Lit)
        or lit_node.type.kind != "STRING"
        or target.kind not in DATE_KINDS
    ):
        return None
    try:
        if target.kind == "TIMESTAMP":
            v = parse_timestamp(lit_node.value)
        else:
            v = json_scalar_in(lit_node.value, target)
    except ValueErr:
        raise qerr(
            'Could not cast literal "%s" to type %s' % (lit_node.value, target.kind), lit_node.pos
        )
    return v


def equality_fn(ta, tb, na, nb, pos, opname="="):
    """fn(a, b) -> True/False/None for non-NULL-checked values of types ta, tb."""
    for t in (ta, tb):
        if t.kind in ("ARRAY", "JSON"):
            raise qerr("Equality is not defined for arguments of type %s" % t, pos)
    if ta.kind == "STRUCT" or tb.kind == "STRUCT":
        if ta.kind == "NULL" or tb.kind == "NULL":
            return lambda a, b: None
        if ta.kind != "STRUCT" or tb.kind != "STRUCT" or len(ta.fields) != len(tb.fields):
            raise qerr(
                "No matching signature for operator %s for argument types: %s, %s"
                % (opname, ta, tb),
                pos,
            )
        subs = [
            (fa.name, fb.name, equality_fn(fa.type, fb.type, None, None, pos, opname))
            for fa, fb in zip(ta.fields, tb.fields)
        ]

        def steq(a, b):
            if a is None or b is None:
                return None
            res = True
            for an, bn, sf in subs:
                x, y = a.get(an), b.get(bn)
                if x is None or y is None:
                    res = None
                    continue
                r = sf(x, y)
                if r is False:
                    return False
                if r is None:
                    res = None
            return res

        return steq
    if not comparable_kinds(ta, tb):
        ok_a = na is not None and coerce_literal(na, tb) is not None
        ok_b = nb is not None and coerce_literal(nb, ta) is not None
        if not (ok_a or ok_b):
            raise qerr(
                "No matching signature for operator %s for argument types: %s, %s"
                % (opname, ta, tb),
                pos,
            )
    return lambda a, b: None if a is None or b is None else a == b


def bind_cmp(e, scope):
    ta, fa = bind(e.l, scope)
    tb, fb = bind(e.r, scope)
    # literal coercion (STRING literal vs DATE/TIMESTAMP/...)
    if ta.kind == "STRING" and tb.kind in DATE_KINDS:
        v = coerce_literal(e.l, tb)
        if v is not None:
            ta, fa = tb, (lambda ctx: v)
    elif tb.kind == "STRING" and ta.kind in DATE_KINDS:
        v = coerce_literal(e.r, ta)
        if v is not None:
            tb, fb = ta, (lambda ctx: v)
    op = e.op
    if op in ("=", "!="):
        eq = equality_fn(ta, tb, e.l, e.r, e.pos, op)
        if op == "=":
            return BOOL, (lambda ctx: eq(fa(ctx), fb(ctx)))

        def ne(ctx):
            r = eq(fa(ctx), fb(ctx))
            return None if r is None else not r

        return BOOL, ne
    for t in (ta, tb):
        if t.kind not in ORDERABLE and t.kind != "NULL":
            raise qerr(
                "No matching signature for operator %s for argument types: %s, %s" % (op, ta, tb),
                e.pos,
            )
    if not comparable_kinds(ta, tb):
        raise qerr(
            "No matching signature for operator %s for argument types: %s, %s" % (op, ta, tb),
            e.pos,
        )
    pyop = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    def cmp(ctx):
        a, b = fa(ctx), fb(ctx)
        if a is None or b is None:
            return None
        return pyop(a, b)

    return BOOL, cmp


def supertype(a, b, na=None, nb=None):
    if a.kind == "NULL":
        return b
    if b.kind == "NULL":
        return a
    if a.kind in NUMERIC_KINDS and b.kind in NUMERIC_KINDS:
        if a.kind == b.kind:
            return a
        return a if NUM_RANK[a.kind] > NUM_RANK[b.kind] else b
    if a.kind == "STRUCT" and b.kind == "STRUCT":
        if len(a.fields) != len(b.fields):
            return None
        fs = []
        for x, y in zip(a.fields, b.fields):
            st = supertype(x.type, y.type)
            if st is None:
                return None
            fs.append(Field(x.name, st, x.mode if x.mode == y.mode else "NULLABLE"))
        return T("STRUCT", fields=fs)
    if a.kind == "ARRAY" and b.kind == "ARRAY":
        st = supertype(a.elem, b.elem)
        return None if st is None else T("ARRAY", elem=st)
    if a.kind == b.kind:
        return a
    if a.kind in DATE_KINDS and isinstance(nb, Lit) and nb.type.kind == "STRING":
        return a
    if b.kind in DATE_KINDS and isinstance(na, Lit) and na.type.kind == "STRING":
        return b
    return None


def converter(src, dst, pos, literal=None):
    """fn(value of type src) -> value of type dst (implicit coercion), or raise SqlError."""
    if src.kind == "NULL":
        return lambda v: None
    k, d = src.kind, dst.kind
    if k == d and k not in ("STRUCT", "ARRAY"):
        return lambda v: v
    if k in NUMERIC_KINDS and d in NUMERIC_KINDS and NUM_RANK[k] < NUM_RANK[d]:
        if d == "FLOAT64":
            return lambda v: None if v is None else float(v)
        return lambda v: None if v is None else Decimal(v)
    if k == "STRING" and d in DATE_KINDS and isinstance(literal, Lit):
        val = coerce_literal(literal, dst)
        return lambda v: val
    if k == "STRUCT" and d == "STRUCT" and len(src.fields) == len(dst.fields):
        subs = [
            (sf.name, df.name, converter(sf.type, df.type, pos))
            for sf, df in zip(src.fields, dst.fields)
        ]

        def cs(v):
            if v is None:
                return None
            return {dn: c(v.get(sn)) for sn, dn, c in subs}

        return cs
    if k == "ARRAY" and d == "ARRAY":
        c = converter(src.elem, dst.elem, pos)
        return lambda v: None if v is None else [c(x) for x in v]
    raise SqlError("Value of type %s cannot be assigned to a value of type %s" % (src, dst), pos)


def sort_cmp(a, b):
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    an = isinstance(a, float) and a != a
    bn = isinstance(b, float) and b != b
    if an or bn:
        return 0 if an and bn else (-1 if an else 1)
    return -1 if a < b else (1 if a > b else 0)


def make_sort_key(fns_desc):
    def cmp(x, y):
        for fn, desc in fns_desc:
            c = sort_cmp(fn(x), fn(y))
            if c:
                return -c if desc else c
        return 0

    return functools.cmp_to_key(cmp)


def bind_order_items(items, scope):
    out = []
    for e, desc in items:
        t, f = bind(e, scope)
        if t.kind not in ORDERABLE and t.kind != "NULL":
            raise qerr("ORDER BY does not support expressions of type %s" % t, e.pos)
        out.append((f, desc))
    return out


def bind_array_agg(e, g):
    rs = g.row_scope
    et, ef = bind(e.expr, rs)
    if et.kind == "ARRAY":
        raise qerr("Cannot aggregate an ARRAY: ARRAY_AGG of an ARRAY is not allowed", e.pos)
    order = bind_order_items(e.order, rs) if e.order else None
    limit = e.limit
    idx = len(g.aggs)
    pos = e.pos

    def run(rows):
        rows = list(rows)
        if order:
            rows.sort(key=make_sort_key(order))
        if limit is not None:
            rows = rows[:limit]
        out = []
        for r in rows:
            v = ef(r)
            if v is None:
                raise SqlError("Array cannot have a null element; error in ARRAY_AGG", pos)
            out.append(v)
        return out if out else None

    g.aggs.append(run)
    return T("ARRAY", elem=et), (lambda ctx: ctx["__aggs"][idx])


def has_agg(e):
    if isinstance(e, ArrayAgg):
        return True
    for attr in ("expr", "l", "r", "c", "a", "b", "lhs", "arr", "index"):
        x = getattr(e, attr, None)
        if isinstance(x, Node) and has_agg(x):
            return True
    return any(has_agg(a) for a in getattr(e, "args", []) or [])


class Catalog:
    """Name resolution of table paths for one job."""

    def __init__(self, state, project, default_dataset=None):
        self.state = state
        self.project = project
        self.default_dataset = default_dataset

    def in_streaming_buffer(self, now):
        """-> fn(stored row tuple) -> True when the row was written by insertAll within the
        --streaming-buffer-ms window (never when the option is off)."""
        window = self.state.args.streaming_buffer_ms / 1000.0
        if window <= 0:
            return lambda r: False
        return lambda r: r[1] is not None and r[1] > now - window

    @staticmethod
    def streaming_buffer_error(tbl):
        """BigQuery: rows recently written by tabledata.insertAll cannot be modified by UPDATE,
        DELETE or MERGE; a statement that would modify one fails (other rows stay modifiable)."""
        return SqlError(
            "UPDATE or DELETE statement over table %s.%s.%s would affect rows in the streaming "
            "buffer, which is not supported" % (tbl.project, tbl.dataset, tbl.table_id)
        )

    def resolve(self, parts, pos):
        if len(parts) == 3:
            p, d, t = parts
        elif len(parts) == 2:
            p, (d, t) = self.project, parts
        elif len(parts) == 1 and self.default_dataset is not None:
            (p, d), t = self.default_dataset, parts[0]
        else:
            raise SqlError(
                'Table "%s" must be qualified with a dataset (e.g. dataset.table).'
                % ".".join(parts),
                pos,
            )
        tbl = self.state.tables.get((p, d, t))
        if tbl is None:
            raise SqlError(
                "Not found: Table %s:%s.%s was not found in location US" % (p, d, t),
                pos,
                404,
                "notFound",
            )
        return tbl


def plan_select(sel, cat):
    """-> (out_fields, run() -> list of row dicts)."""
    src_fields, src_rows = plan_source(sel.source, cat)
    alias = sel.source.alias
    if alias is None and sel.source.path is not None:
        alias = sel.source.path[-1]
    source = Source(alias, src_fields, "r")
    rscope = Scope([source])
    where = None
    if sel.where is not None:
        if has_agg(sel.where):
            raise qerr("Aggregate function ARRAY_AGG not allowed in WHERE clause", sel.where.pos)
        wt, where = bind(sel.where, rscope)
        if wt.kind not in ("BOOL", "NULL"):
            raise qerr("WHERE clause should return type BOOL, but returns %s" % wt, sel.where.pos)
    grouped = sel.group is not None or any(it[0] != "*" and has_agg(it[0]) for it in sel.items)
    out_fields = []
    out_fns = []
    if grouped:
        g = GroupCtx([], rscope)
        gfns = []
        for i, ge in enumerate(sel.group or []):
            if has_agg(ge):
                raise qerr("Aggregate function ARRAY_AGG not allowed in GROUP BY", ge.pos)
            gt, gf = bind(ge, rscope)
            if gt.kind in ("ARRAY", "JSON"):
                raise qerr("Grouping by expressions of type %s is not allowed" % gt.kind, ge.pos)
            g.exprs.append((ge.key(), gt, i))
            gfns.append(gf)
        gscope = Scope([source], group=g)
    for n, (e, a, pos) in enumerate(sel.items):
        if e == "*":
            if grouped:
                raise qerr(
                    "SELECT * expression references columns which are neither grouped nor "
                    "aggregated",
                    pos,
                )
            for f in src_fields:
                out_fields.append(Field(f.name, f.type, f.mode))
                out_fns.append(_row_getter("r", f.name))
            continue
        t, fn = bind(e, gscope if grouped else rscope)
        name = a or (e.parts[-1] if isinstance(e, Path) else "f%d_" % n)
        out_fields.append(result_field(name, t))
        out_fns.append(fn)
    order = None
    if sel.order:
        order = []
        for oe, desc in sel.order:
            idx = None
            if isinstance(oe, Path) and len(oe.parts) == 1:
                for i, f in enumerate(out_fields):
                    if f.name.lower() == oe.parts[0].lower():
                        idx = i
                        break
            if idx is not None:
                t = out_fields[idx].type
                if t.kind not in ORDERABLE:
                    raise qerr("ORDER BY does not support expressions of type %s" % t, oe.pos)
                order.append(("out", idx, desc))
            elif grouped:
                raise qerr(
                    "ORDER BY in an aggregating query may only name output columns in the test "
                    "double",
                    oe.pos,
                )
            else:
                t, f = bind(oe, rscope)
                if t.kind not in ORDERABLE and t.kind != "NULL":
                    raise qerr("ORDER BY does not support expressions of type %s" % t, oe.pos)
                order.append(("in", f, desc))

    def run():
        rows = [{"r": r} for r in src_rows()]
        if where is not None:
            rows = [c for c in rows if where(c) is True]
        results = []  # (out row dict, input ctx)
        if grouped:
            groups = {}
            for c in rows:
                key = tuple(gf(c) for gf in gfns)
                hk = tuple(hashable(v) for v in key)
                ent = groups.get(hk)
                if ent is None:
                    groups[hk] = (key, [c])
                else:
                    ent[1].append(c)
            if not gfns and not groups:
                groups[()] = ((), [])
            for key, members in groups.values():
                gctx = {"__keys": key, "__aggs": [agg(members) for agg in g.aggs], "r": None}
                results.append(({f.name: fn(gctx) for f, fn in zip(out_fields, out_fns)}, gctx))
        else:
            for c in rows:
                results.append(({f.name: fn(c) for f, fn in zip(out_fields, out_fns)}, c))
        if order:
            fns = []
            for kind, x, desc in order:
                if kind == "out":
                    name = out_fields[x].name
                    fns.append(((lambda p, name=name: p[0][name]), desc))
                else:
                    fns.append(((lambda p, f=x: f(p[1])), desc))
            results.sort(key=make_sort_key(fns))
        return [r for r, _ in results]

    return out_fields, run


def plan_source(ref, cat):
    if ref.sub is not None:
        fields, run = plan_select(ref.sub, cat)
        seen = set()
        for f in fields:
            if f.name.lower() in seen:
                raise qerr(
                    "Duplicate column names in the result are not supported. Found duplicate(s): %s"
                    % f.name,
                    ref.pos,
                )
            seen.add(f.name.lower())
        return fields, run
    tbl = cat.resolve(ref.path, ref.pos)
    return tbl.fields, (lambda: [r[0] for r in tbl.rows])


def hashable(v):
    if isinstance(v, dict):
        return ("s",) + tuple(hashable(x) for x in v.values())
    if isinstance(v, list):
        return ("a",) + tuple(hashable(x) for x in v)
    if isinstance(v, float) and v != v:
        return ("nan",)
    if isinstance(v, JsonVal):
        return ("j", v.text)
    return v


def has_null(v):
    if v is None:
        return True
    if isinstance(v, dict):
        return any(has_null(x) for x in v.values())
    if isinstance(v, float) and v != v:
        return True
    return False


def check_stored(v, f, where):
    """Validate a value written by DML against column f (REQUIRED, NUMERIC range, lengths)."""
    if f.mode == "REPEATED":
        for e in v or []:
            if e is None:
                raise SqlError(
                    "Array cannot have a null element; error in writing field %s" % where
                )
            _check_one(e, f.type.elem, where)
        return
    if v is None:
        if f.mode == "REQUIRED":
            raise SqlError("Required field %s cannot be null" % where)
        return
    _check_one(v, f.type, where)


def _check_one(v, t, where):
    if t.kind == "STRUCT":
        for sf in t.fields:
            check_stored(v.get(sf.name), sf, where + "." + sf.name)
    elif t.kind in ("NUMERIC", "BIGNUMERIC"):
        try:
            check_numeric(v, t)
        except ValueErr as e:
            raise SqlError("%s; error in writing field %s" % (e, where))
    elif t.kind in ("STRING", "BYTES") and t.max_length is not None and len(v) > t.max_length:
        raise SqlError("Value of field %s exceeds maxLength %d" % (where, t.max_length))


class DmlResult:
    def __init__(self, stype, inserted=0, updated=0, deleted=0):
        self.statement_type = stype
        self.inserted, self.updated, self.deleted = inserted, updated, deleted

    @property
    def affected(self):
        return self.inserted + self.updated + self.deleted


class SelectResult:
    def __init__(self, fields, rows):
        self.statement_type = "SELECT"
        self.fields = fields
        self.rows = rows


def column_for(tbl, name, pos):
    for f in tbl.fields:
        if f.name.lower() == name.lower():
            return f
    raise SqlError("Column %s is not present in table %s" % (name, tbl.display()), pos)


def plan_and_run(text, cat, now):
    """Parse, bind and execute one statement; returns SelectResult or DmlResult. Atomic."""
    st = Parser(text).statement()
    if isinstance(st, Select):
        fields, run = plan_select(st, cat)
        return SelectResult(fields, run())
    if isinstance(st, Delete):
        tbl = cat.resolve(st.path, st.path_pos)
        alias = st.alias or st.path[-1]
        scope = Scope([Source(alias, tbl.fields, "t")])
        wt, wf = bind(st.where, scope)
        if has_agg(st.where):
            raise qerr("Aggregate function ARRAY_AGG not allowed in WHERE clause", st.where.pos)
        if wt.kind not in ("BOOL", "NULL"):
            raise qerr("WHERE clause should return type BOOL, but returns %s" % wt, st.where.pos)
        buffered = cat.in_streaming_buffer(now)
        keep = []
        for r in tbl.rows:
            if wf({"t": r[0]}) is not True:
                keep.append(r)
            elif buffered(r):
                raise cat.streaming_buffer_error(tbl)
        deleted = len(tbl.rows) - len(keep)
        tbl.rows = keep
        if deleted:
            tbl.touch(now)
        return DmlResult("DELETE", deleted=deleted)
    return run_merge(st, cat, now)


def run_merge(m, cat, now):
    tbl = cat.resolve(m.path, m.path_pos)
    talias = m.alias or m.path[-1]
    src_fields, src_rows = plan_source(m.source, cat)
    salias = m.source.alias or (m.source.path[-1] if m.source.path else None)
    tsrc = Source(talias, tbl.fields, "t")
    ssrc = Source(salias, src_fields, "s")
    both = Scope([tsrc, ssrc])
    only_s = Scope([ssrc])
    only_t = Scope([tsrc])
    if has_agg(m.on):
        raise qerr("Aggregate function ARRAY_AGG not allowed in MERGE ON", m.on.pos)
    ont, onf = bind(m.on, both)
    if ont.kind not in ("BOOL", "NULL"):
        raise qerr("MERGE ON clause should return type BOOL, but returns %s" % ont, m.on.pos)
    # hash-join fast path for ON <target expr> = <source expr>
    join = None
    if isinstance(m.on, Cmp) and m.on.op == "=":
        for le, re_ in ((m.on.l, m.on.r), (m.on.r, m.on.l)):
            try:
                lt, lf = bind(le, only_t)
                rt, rf = bind(re_, only_s)
            except SqlError:
                continue
            if lt.kind == rt.kind or (lt.kind in NUMERIC_KINDS and rt.kind in NUMERIC_KINDS):
                join = (lf, rf)  # (literal coercions, e.g. DATE = 'string', take the slow path)
            break
    clauses = []
    for kind, cond, body, wpos in m.clauses:
        matched = kind in ("UPDATE", "DELETE")
        sc = both if matched else only_s
        cf = None
        if cond is not None:
            ct, cf = bind(cond, sc)
            if ct.kind not in ("BOOL", "NULL"):
                raise qerr(
                    "WHEN clause condition should return type BOOL, but returns %s" % ct, cond.pos
                )
        if kind == "UPDATE":
            sets = []
            seen = set()
            for parts, expr, ppos in body:
                if len(parts) == 2 and parts[0].lower() == talias.lower():
                    parts = parts[1:]
                if len(parts) != 1:
                    raise qerr("Updating nested fields is not modelled by the test double", ppos)
                col = column_for(tbl, parts[0], ppos)
                if col.name.lower() in seen:
                    raise qerr("Update item %s overlaps with %s" % (col.name, col.name), ppos)
                seen.add(col.name.lower())
                et, ef = bind(expr, both)
                conv = converter(et, col.type, expr.pos, literal=expr)
                sets.append((col, ef, conv))
            clauses.append(("UPDATE", cf, sets))
        elif kind == "DELETE":
            clauses.append(("DELETE", cf, None))
        else:
            cols, vals = body
            if len(cols) != len(vals):
                raise qerr(
                    "Inserted row has wrong column count; Has %d, expected %d"
                    % (len(vals), len(cols)),
                    wpos,
                )
            ins = []
            seen = set()
            for (cpos, cname), expr in zip(cols, vals):
                col = column_for(tbl, cname, cpos)
                if col.name.lower() in seen:
                    raise qerr("INSERT has columns with duplicate name: %s" % col.name, cpos)
                seen.add(col.name.lower())
                et, ef = bind(expr, only_s)
                conv = converter(et, col.type, expr.pos, literal=expr)
                ins.append((col, ef, conv))
            clauses.append(("INSERT", cf, ins))
    has_matched = any(c[0] != "INSERT" for c in clauses)

    srows = src_rows()
    trows = tbl.rows
    matches = [[] for _ in trows]
    smatched = [False] * len(srows)
    if join is not None:
        lf, rf = join
        index = {}
        for j, s in enumerate(srows):
            v = rf({"s": s})
            if has_null(v):
                continue
            index.setdefault(hashable(v), []).append(j)
        for i, r in enumerate(trows):
            v = lf({"t": r[0]})
            if has_null(v):
                continue
            for j in index.get(hashable(v), ()):
                if onf({"t": r[0], "s": srows[j]}) is True:
                    matches[i].append(j)
                    smatched[j] = True
    else:
        for i, r in enumerate(trows):
            for j, s in enumerate(srows):
                if onf({"t": r[0], "s": s}) is True:
                    matches[i].append(j)
                    smatched[j] = True
    new_rows = []
    updated = deleted = inserted = 0
    buffered = cat.in_streaming_buffer(now)
    for i, r in enumerate(trows):
        ms = matches[i]
        if ms and has_matched and len(ms) > 1:
            raise SqlError("UPDATE/MERGE must match at most one source row for each target row")
        if not ms or not has_matched:
            new_rows.append(r)
            continue
        ctx = {"t": r[0], "s": srows[ms[0]]}
        action = None
        for kind, cf, body in clauses:
            if kind == "INSERT":
                continue
            if cf is None or cf(ctx) is True:
                action = (kind, body)
                break
        if action is None:
            new_rows.append(r)
            continue
        if buffered(r):
            raise cat.streaming_buffer_error(tbl)
        if action[0] == "DELETE":
            deleted += 1
        else:
            nr = dict(r[0])
            for col, ef, conv in action[1]:
                nr[col.name] = conv(ef(ctx))
            for col, _, _ in action[1]:
                check_stored(nr[col.name], col, col.name)
            new_rows.append((nr, r[1]))
            updated += 1
    for j, s in enumerate(srows):
        if smatched[j]:
            continue
        ctx = {"s": s}
        for kind, cf, body in clauses:
            if kind != "INSERT":
                continue
            if cf is None or cf(ctx) is True:
                nr = {}
                given = {col.name: conv(ef(ctx)) for col, ef, conv in body}
                for f in tbl.fields:
                    v = given.get(f.name, [] if f.mode == "REPEATED" else None)
                    check_stored(v, f, f.name)
                    nr[f.name] = v
                new_rows.append((nr, None))  # DML rows are never in the streaming buffer
                inserted += 1
                break
    tbl.rows = new_rows
    if inserted or updated or deleted:
        tbl.touch(now)
    return DmlResult("MERGE", inserted=inserted, updated=updated, deleted=deleted)


# ============================================================================ state


class Table:
    def __init__(self, project, dataset, table_id, fields, resource, now):
        self.project, self.dataset, self.table_id = project, dataset, table_id
        self.fields = fields
        self.rows = []  # list of (row dict, time written)
        self.resource = resource  # extra resource keys kept (timePartitioning, clustering, ...)
        self.created = now
        self.modified = now
        self.generation = 1
        self.conv = None

    def row_converter(self):
        if self.conv is None:
            self.conv = compile_row(self.fields)
        return self.conv

    def display(self):
        return "%s:%s.%s" % (self.project, self.dataset, self.table_id)

    def etag(self):
        text = "%s/%d/%f" % (self.display(), self.generation, self.created)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def touch(self, now):
        self.modified = now

    def buffer_stats(self, now, window):
        """(rows, oldest entry time) of rows streamed by insertAll within `window` s, or None."""
        ts = [t for _, t in self.rows if t is not None and t > now - window]
        if not ts:
            return None
        return len(ts), min(ts)

    def to_rest(self, window=0.0):
        r = {
            "kind": "bigquery#table",
            "etag": self.etag(),
            "id": self.display(),
            "selfLink": "%s/projects/%s/datasets/%s/tables/%s"
            % (API_PREFIX, self.project, self.dataset, self.table_id),
            "tableReference": {
                "projectId": self.project,
                "datasetId": self.dataset,
                "tableId": self.table_id,
            },
            "schema": schema_to_rest(self.fields),
            "numBytes": "0",
            "numLongTermBytes": "0",
            "numRows": str(len(self.rows)),
            "creationTime": str(int(self.created * 1000)),
            "lastModifiedTime": str(int(self.modified * 1000)),
            "type": "TABLE",
            "location": "US",
        }
        r.update(self.resource)
        sb = self.buffer_stats(time.time(), window) if window > 0 else None
        if sb is not None:
            r["streamingBuffer"] = {
                "estimatedRows": str(sb[0]),
                "estimatedBytes": str(sb[0] * 100),
                "oldestEntryTime": str(int(sb[1] * 1000)),
            }
        return r


class Job:
    def __init__(self, project, job_id, location, query, config, now, ready_at, email):
        self.project, self.job_id, self.location = project, job_id, location
        self.query = query
        self.config = config
        self.created = now
        self.ready_at = ready_at
        self.done = False
        self.ended = None
        self.result = None
        self.error = None
        self.forced_error = None
        self.email = email
        self.default_dataset = None
        self.seq = 0

    def ref(self):
        return {"projectId": self.project, "jobId": self.job_id, "location": self.location}

    def to_rest(self):
        st = {"state": "DONE" if self.done else "RUNNING"}
        if self.done and self.error is not None:
            st["errorResult"] = self.error.proto()
            st["errors"] = [self.error.proto()]
        created = str(int(self.created * 1000))
        stats = {"creationTime": created, "startTime": created}
        if self.done:
            stats["endTime"] = str(int(self.ended * 1000))
            q = {"totalBytesProcessed": "0", "totalBytesBilled": "0", "cacheHit": False}
            if self.result is not None:
                q["statementType"] = self.result.statement_type
                if isinstance(self.result, DmlResult):
                    q["numDmlAffectedRows"] = str(self.result.affected)
                    q["dmlStats"] = dml_stats(self.result)
            stats["query"] = q
            stats["totalBytesProcessed"] = "0"
        return {
            "kind": "bigquery#job",
            "etag": base64.b64encode(self.job_id.encode()).decode()[:16],
            "id": "%s:%s.%s" % (self.project, self.location, self.job_id),
            "selfLink": "%s/projects/%s/jobs/%s?location=%s"
            % (API_PREFIX, self.project, self.job_id, self.location),
            "user_email": self.email,
            "jobReference": self.ref(),
            "configuration": self.config,
            "status": st,
            "statistics": stats,
        }


def dml_stats(res):
    return {
        "insertedRowCount": str(res.inserted),
        "deletedRowCount": str(res.deleted),
        "updatedRowCount": str(res.updated),
    }


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.tables = {}
        self.tokens = {}  # token -> (expires_at, email)
        self.faults = []
        self.jobs = {}  # (project, jobId) -> Job
        self.pending = []  # jobs not yet run, in creation order
        self.request_ids = {}  # (project, requestId) -> (jobId, parameters, time)
        self.dedup = {}  # (table key, insertId) -> time
        self.requests = {}
        self.tokens_issued = 0
        self.merges = 0
        self.job_seq = 0

    def count(self, key):
        self.requests[key] = self.requests.get(key, 0) + 1

    def run_ready_jobs(self, upto=None):
        """Execute every job whose delay has passed, in creation order (up to job `upto`)."""
        now = time.time()
        for j in list(self.pending):
            if j.ready_at > now:
                if upto is not None and j is upto:
                    return
                continue
            self.execute(j, now)
            if upto is not None and j is upto:
                return

    def execute(self, job, now):
        self.pending.remove(job)
        job.done = True
        job.ended = now
        if job.forced_error is not None:
            job.error = job.forced_error
            return
        try:
            cat = Catalog(self, job.project, job.default_dataset)
            job.result = plan_and_run(job.query, cat, now)
            if job.result.statement_type == "MERGE":
                self.merges += 1
        except SqlError as e:
            msg = e.msg
            if e.pos is not None and e.reason == "invalidQuery":
                msg = "%s at %s" % (msg, _linecol(job.query, e.pos))
            loc = "query" if e.reason == "invalidQuery" else None
            job.error = BQError(e.code, e.reason, msg, loc)
        except RecursionError:
            job.error = BQError(
                400, "invalidQuery", "Resources exceeded: the statement is too deeply nested"
            )


# ============================================================================ HTTP

ROUTES = [
    ("POST", re.compile(r"^/token$"), "token"),
    (
        "GET",
        re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)/data$"),
        "tabledata.list",
    ),
    (
        "POST",
        re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)/insertAll$"),
        "tabledata.insertAll",
    ),
    ("GET", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$"), "tables.get"),
    ("PATCH", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$"), "tables.patch"),
    ("PUT", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$"), "tables.update"),
    ("DELETE", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$"), "tables.delete"),
    ("POST", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables$"), "tables.insert"),
    ("GET", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables$"), "tables.list"),
    ("GET", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)$"), "datasets.get"),
    ("POST", re.compile(r"^/projects/([^/]+)/datasets$"), "datasets.insert"),
    ("POST", re.compile(r"^/projects/([^/]+)/queries$"), "jobs.query"),
    ("GET", re.compile(r"^/projects/([^/]+)/queries/([^/]+)$"), "jobs.getQueryResults"),
    ("POST", re.compile(r"^/projects/([^/]+)/jobs$"), "jobs.insert"),
    ("GET", re.compile(r"^/projects/([^/]+)/jobs/([^/]+)$"), "jobs.get"),
]

DEFAULT_FAULT_MESSAGES = {
    "backendError": "Error encountered during execution. Retrying may solve the problem.",
    "internalError": "An internal error occurred and the request could not be completed.",
    "quotaExceeded": "Quota exceeded: Your table exceeded quota for imports or query appends "
    "per table.",
    "rateLimitExceeded": "Exceeded rate limits: too many table update operations for this table.",
    "jobInternalError": "The job encountered an internal error during execution and was unable "
    "to complete successfully.",
    "invalidQuery": "Could not serialize access to table due to concurrent update",
    "notFound": "Not found",
    "authError": "Invalid Credentials",
}
JOB_LEVEL_REASONS = ("invalidQuery", "jobInternalError", "jobBackendError")


class Reply(Exception):
    def __init__(self, code, body, headers=None):
        self.code, self.body, self.headers = code, body, headers or {}


def bq_error_reply(e):
    headers = {}
    if e.code == 401:
        headers["WWW-Authenticate"] = (
            'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        )
    return Reply(e.code, e.envelope(), headers)


def b64url_decode(s):
    if "=" in s or not re.match(r"^[A-Za-z0-9_-]*$", s):
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bq-test-double/1"
    sys_version = ""

    # quiet default logging; our own log goes to --log
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # ------------------------------------------------------------ plumbing
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > 4 * MAX_REQUEST_BYTES:
                    self.close_connection = True
                    raise Reply(413, BQError(413, "badRequest", "Request too large").envelope())
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            body = b"".join(chunks)
        else:
            n = int(self.headers.get("Content-Length") or 0)
            if n > 4 * MAX_REQUEST_BYTES:
                self.close_connection = True
                raise Reply(413, BQError(413, "badRequest", "Request too large").envelope())
            body = self.rfile.read(n) if n else b""
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            body = gzip.decompress(body)
        return body

    def send(self, code, body, headers=None):
        if body is None:
            data = b""
        else:
            data = json.dumps(body, default=_json_default).encode()
        self.send_response(code)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def dispatch(self, method):
        t0 = time.time()
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        qs = urllib.parse.parse_qs(url.query)
        code = 500
        try:
            body = self.read_body()
            if path.startswith("/__test/") or path == "/__test":
                code, resp = self.test_control(method, path, body)
                self.send(code, resp)
                return
            reply = self.api(method, path, qs, body)
            code = reply.code
            self.send(reply.code, reply.body, reply.headers)
        except Reply as r:
            code = r.code
            self.send(r.code, r.body, r.headers)
        except Exception as e:  # a bug in the double: answer 500 and log it
            import traceback

            code = 500
            tb = traceback.format_exc()
            self.server.log("INTERNAL ERROR %s %s: %s" % (method, path, tb))
            self.send(500, BQError(500, "internalError", "test double bug: %s" % e).envelope())
        finally:
            self.server.log(
                "%s %s -> %d (%.1f ms)" % (method, url.path, code, (time.time() - t0) * 1000)
            )

    def api(self, method, path, qs, body):
        st = self.server.state
        name = None
        groups = ()
        sub = path
        if path != "/token":
            if not path.startswith(API_PREFIX + "/"):
                with st.lock:
                    st.count("%s unknown" % method)
                raise Reply(404, BQError(404, "notFound", "Not Found: %s" % path).envelope())
            sub = path[len(API_PREFIX) :]
        for m, rx, nm in ROUTES:
            mt = rx.match(sub)
            if mt and m == method:
                name, groups = nm, mt.groups()
                break
        if name is None:
            with st.lock:
                st.count("%s unknown" % method)
            msg = "Not Found: %s %s" % (method, path)
            raise Reply(404, BQError(404, "notFound", msg).envelope())
        with st.lock:
            st.count("%s %s" % (method, name))
            fault = self.take_fault(method, path, name, body)
        if fault is not None:
            if name == "token":
                raise Reply(
                    fault["status"],
                    {"error": fault["reason"], "error_description": fault["message"]},
                )
            if not (name in ("jobs.insert", "jobs.query") and fault["reason"] in JOB_LEVEL_REASONS):
                raise bq_error_reply(BQError(fault["status"], fault["reason"], fault["message"]))
        if name == "token":
            return self.token(body)
        email = self.authenticate()
        try:
            return getattr(self, "h_" + name.replace(".", "_"))(groups, qs, body, email, fault)
        except BQError as e:
            raise bq_error_reply(e)
        except (AttributeError, TypeError, KeyError) as e:
            # a field of the wrong JSON type somewhere in the request resource
            self.server.log("bad request shape in %s: %r" % (name, e))
            raise bq_error_reply(
                BQError(400, "invalid", "Invalid JSON payload received (wrong field type): %s" % e)
            )

    def take_fault(self, method, path, name, body):
        st = self.server.state
        for f in st.faults:
            if f["method"] not in ("*", method):
                continue
            if not f["regex"].search(path):
                continue
            if f["query_regex"] is not None:
                try:
                    q = json.loads(body or b"{}")
                    jq = q.get("configuration", {}).get("query", {})
                    text = q.get("query") or jq.get("query") or ""
                except (ValueError, AttributeError):
                    text = ""
                if not f["query_regex"].search(text):
                    continue
            f["count"] -= 1
            if f["count"] <= 0:
                st.faults.remove(f)
            return f
        return None

    def authenticate(self):
        st = self.server.state
        auth = self.headers.get("Authorization")
        if st.args.no_auth:
            return "anonymous@test-double"
        if not auth:
            raise bq_error_reply(
                BQError(
                    401,
                    "required",
                    "Request is missing required authentication credential. Expected OAuth 2 "
                    "access token, login cookie or other valid authentication credential.",
                    "Authorization",
                )
            )
        parts = auth.split(None, 1)
        tok = parts[1].strip() if len(parts) == 2 and parts[0].lower() == "bearer" else None
        with st.lock:
            ent = st.tokens.get(tok) if tok else None
        if ent is None or ent[0] <= time.time():
            raise bq_error_reply(
                BQError(
                    401,
                    "authError",
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential.",
                    "Authorization",
                )
            )
        return ent[1]

    # ------------------------------------------------------------ token endpoint
    def token(self, body):
        st = self.server.state
        args = st.args

        def fail(err, desc, code=400):
            raise Reply(code, {"error": err, "error_description": desc})

        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            fail("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        try:
            form = urllib.parse.parse_qs(body.decode("ascii"), strict_parsing=True)
        except (ValueError, UnicodeDecodeError):
            fail("invalid_request", "Malformed form body")
        grant = form.get("grant_type", [""])[0]
        if grant != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            fail("unsupported_grant_type", "Invalid grant_type: %s" % grant)
        assertion = form.get("assertion", [""])[0]
        parts = assertion.split(".")
        if len(parts) != 3:
            fail("invalid_grant", "Invalid JWT: the assertion is not a JWS compact serialization")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except (ValueError, binascii.Error):
            fail("invalid_grant", "Invalid JWT: segments must be unpadded base64url-encoded JSON")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            fail("invalid_grant", "Invalid JWT: header and claims must be JSON objects")
        if header.get("alg") != "RS256":
            fail(
                "invalid_grant",
                "Invalid JWT: unsupported signing algorithm %s (RS256 required)"
                % header.get("alg"),
            )
        if header.get("typ") not in (None, "JWT"):
            fail("invalid_grant", "Invalid JWT: typ must be JWT")
        if self.server.public_key is None:
            fail(
                "invalid_grant",
                "Invalid JWT Signature. (the test double was started without --public-key)",
            )
        try:
            self.server.public_key.verify(
                sig,
                (parts[0] + "." + parts[1]).encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            fail("invalid_grant", "Invalid JWT Signature.")
        iss = claims.get("iss")
        if not isinstance(iss, str) or not iss or (args.client_email and iss != args.client_email):
            fail("invalid_grant", "Invalid grant: account not found")
        scope = claims.get("scope")
        if not isinstance(scope, str) or not any(s in SCOPES_OK for s in scope.split()):
            fail("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        host = self.headers.get("Host") or ""
        auds = (
            GOOGLE_TOKEN_URL,
            "http://%s/token" % host,
            "http://127.0.0.1:%d/token" % self.server.server_address[1],
        )
        if claims.get("aud") not in auds:
            fail(
                "invalid_grant",
                "Invalid JWT: Failed audience check. The right audience is %s" % auds[1],
            )
        iat, exp = claims.get("iat"), claims.get("exp")
        now = time.time()
        if (
            not isinstance(iat, (int, float))
            or not isinstance(exp, (int, float))
            or isinstance(iat, bool)
            or isinstance(exp, bool)
            or exp <= iat
            or exp - iat > 3600
            or iat > now + CLOCK_SKEW
            or exp < now - CLOCK_SKEW
        ):
            fail(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
                "timeframe. Check your iat and exp values in the JWT claim.",
            )
        tok = "ya29.test-double." + secrets.token_urlsafe(32)
        ttl = args.token_ttl
        with st.lock:
            st.tokens[tok] = (now + ttl, iss)
            st.tokens_issued += 1
        return Reply(200, {"access_token": tok, "expires_in": ttl, "token_type": "Bearer"},
                     {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"})

    # ------------------------------------------------------------ helpers
    def json_body(self, body):
        if not body:
            return {}
        try:
            v = json.loads(body, parse_float=Decimal)
        except ValueError as e:
            raise BQError(400, "parseError", "Parse Error: invalid JSON payload received. %s" % e)
        if not isinstance(v, dict):
            raise BQError(400, "parseError", "Invalid JSON payload received. Expected an object.")
        return v

    def get_table(self, p, d, t):
        tbl = self.server.state.tables.get((p, d, t))
        if tbl is None:
            raise BQError(404, "notFound", "Not found: Table %s:%s.%s" % (p, d, t))
        return tbl

    # ------------------------------------------------------------ datasets
    def h_datasets_get(self, g, qs, body, email, fault):
        p, d = g
        return Reply(200, {
            "kind": "bigquery#dataset",
            "id": "%s:%s" % (p, d),
            "datasetReference": {"projectId": p, "datasetId": d},
            "location": "US",
        })

    def h_datasets_insert(self, g, qs, body, email, fault):
        b = self.json_body(body)
        d = (b.get("datasetReference") or {}).get("datasetId", "?")
        raise BQError(409, "duplicate", "Already Exists: Dataset %s:%s" % (g[0], d))

    # ------------------------------------------------------------ tables
    def h_tables_get(self, g, qs, body, email, fault):
        st = self.server.state
        with st.lock:
            return Reply(200, self.get_table(*g).to_rest(st.args.streaming_buffer_ms / 1000.0))

    def h_tables_list(self, g, qs, body, email, fault):
        st = self.server.state
        p, d = g
        with st.lock:
            items = [
                {
                    "kind": "bigquery#table",
                    "id": t.display(),
                    "tableReference": {"projectId": p, "datasetId": d, "tableId": t.table_id},
                    "type": "TABLE",
                    "creationTime": str(int(t.created * 1000)),
                }
                for (tp, td, _), t in sorted(st.tables.items())
                if tp == p and td == d
            ]
        return Reply(200, {"kind": "bigquery#tableList", "tables": items, "totalItems": len(items)})

    def h_tables_delete(self, g, qs, body, email, fault):
        st = self.server.state
        with st.lock:
            self.get_table(*g)
            del st.tables[g]
        return Reply(204, None)

    def h_tables_insert(self, g, qs, body, email, fault):
        st = self.server.state
        p, d = g
        b = self.json_body(body)
        ref = b.get("tableReference") or {}
        tid = ref.get("tableId")
        if ref.get("projectId", p) != p or ref.get("datasetId", d) != d:
            raise invalid("tableReference does not match the request path")
        if not isinstance(tid, str) or not re.match(r"^[\w\- ]{1,1024}$", tid):
            raise invalid("Invalid table ID \"%s\"." % tid)
        if b.get("view") or b.get("materializedView") or b.get("externalDataConfiguration"):
            raise invalid("views and external tables are not modelled by the test double")
        schema = b.get("schema") or {"fields": []}
        fields = parse_schema_fields(schema.get("fields", []), tid)
        resource = self.table_options(b, fields, None)
        now = time.time()
        with st.lock:
            if (p, d, tid) in st.tables:
                raise BQError(409, "duplicate", "Already Exists: Table %s:%s.%s" % (p, d, tid))
            tbl = Table(p, d, tid, fields, resource, now)
            st.tables[(p, d, tid)] = tbl
            return Reply(200, tbl.to_rest())

    def table_options(self, b, fields, old):
        """Validate and keep the table resource options the double stores and echoes."""
        res = dict(old.resource) if old else {}
        byname = {f.name.lower(): f for f in fields}
        tp = b.get("timePartitioning")
        if tp is not None:
            if old is not None and old.resource.get("timePartitioning") not in (None, tp):
                raise invalid("Cannot change partitioning spec of a table (not modelled).")
            typ = tp.get("type", "DAY")
            if typ not in ("DAY", "HOUR", "MONTH", "YEAR"):
                raise invalid("Invalid value for timePartitioning.type: %s" % typ)
            if tp.get("field"):
                f = byname.get(str(tp["field"]).lower())
                if f is None:
                    raise invalid(
                        "The field specified for partitioning cannot be found in the schema"
                    )
                if f.mode == "REPEATED" or f.type.kind not in ("TIMESTAMP", "DATE", "DATETIME"):
                    raise invalid(
                        "The field specified for time partitioning can only be of type "
                        "TIMESTAMP, DATE or DATETIME."
                    )
            res["timePartitioning"] = tp
        rp = b.get("rangePartitioning")
        if rp is not None:
            raise invalid("rangePartitioning is not modelled by the test double")
        cl = b.get("clustering")
        if cl is not None:
            cf = cl.get("fields") or []
            if len(cf) > 4:
                raise invalid("Too many clustering fields: %d, only 4 are allowed." % len(cf))
            for n in cf:
                f = byname.get(str(n).lower())
                if f is None:
                    raise invalid(
                        "The field specified for clustering cannot be found in the schema. "
                        "Invalid field: %s." % n
                    )
                if f.mode == "REPEATED" or f.type.kind in ("STRUCT", "JSON", "FLOAT64"):
                    raise invalid(
                        "Field %s is of type %s which is not supported for clustering."
                        % (n, f.type)
                    )
            res["clustering"] = cl
        tc = b.get("tableConstraints")
        if tc is not None:
            pk = (tc.get("primaryKey") or {}).get("columns") or []
            if len(pk) > 16:
                raise invalid("A primary key can have at most 16 columns")
            for n in pk:
                f = byname.get(str(n).lower())
                if f is None:
                    raise invalid("Primary key column %s does not exist in the table schema" % n)
                if f.mode == "REPEATED" or f.type.kind in ("STRUCT", "JSON", "FLOAT64"):
                    raise invalid(
                        "Column %s of type %s cannot be part of a primary key" % (n, f.type)
                    )
            res["tableConstraints"] = tc
        kept = ("description", "friendlyName", "labels", "expirationTime", "requirePartitionFilter")
        for k in kept:
            if k in b:
                res[k] = b[k]
        return res

    def h_tables_patch(self, g, qs, body, email, fault):
        return self.update_table(g, body, patch=True)

    def h_tables_update(self, g, qs, body, email, fault):
        return self.update_table(g, body, patch=False)

    def update_table(self, g, body, patch):
        st = self.server.state
        b = self.json_body(body)
        with st.lock:
            tbl = self.get_table(*g)
            if_match = self.headers.get("If-Match")
            if if_match and if_match.strip('"') != tbl.etag():
                raise BQError(412, "conditionNotMet", "Precondition check failed.")
            fields = tbl.fields
            if "schema" in b:
                new = (b.get("schema") or {}).get("fields", [])
                fields = parse_schema_fields(new, tbl.table_id)
                check_schema_change(tbl.fields, fields, tbl.display(), "")
            elif not patch:
                raise invalid("tables.update must carry the full table resource, including schema")
            resource = self.table_options(b, fields, tbl)
            if fields is not tbl.fields:
                tbl.rows = [(extend_row(r, tbl.fields, fields), t) for r, t in tbl.rows]
                tbl.fields = fields
                tbl.conv = None
            tbl.resource = resource
            tbl.generation += 1
            tbl.touch(time.time())
            return Reply(200, tbl.to_rest())

    # ------------------------------------------------------------ tabledata
    def h_tabledata_insertAll(self, g, qs, body, email, fault):
        st = self.server.state
        p, d, t = g
        t = t.split("$", 1)[0]
        if len(body) > MAX_REQUEST_BYTES:
            raise BQError(
                400,
                "badRequest",
                "Request payload size exceeds the limit: %d bytes." % MAX_REQUEST_BYTES,
            )
        b = self.json_body(body)
        if b.get("templateSuffix"):
            raise invalid("templateSuffix is not modelled by the BigQuery test double")
        rows = b.get("rows")
        if not isinstance(rows, list) or not rows:
            raise invalid("No rows present in the request.")
        if len(rows) > MAX_ROWS_PER_REQUEST:
            raise invalid(
                "too many rows present in the request, limit: %d row count: %d."
                % (MAX_ROWS_PER_REQUEST, len(rows))
            )
        skip_invalid = b.get("skipInvalidRows") is True
        ignore_unknown = b.get("ignoreUnknownValues") is True
        with st.lock:
            tbl = self.get_table(p, d, t)
            now = time.time()
            conv = tbl.row_converter()
            converted = []
            errors = []
            for idx, r in enumerate(rows):
                if not isinstance(r, dict) or not isinstance(r.get("json"), dict):
                    errors.append((idx, "invalid", "", "Row must carry a \"json\" object."))
                    converted.append(None)
                    continue
                iid = r.get("insertId")
                if iid is not None and not isinstance(iid, str):
                    errors.append((idx, "invalid", "insertId", "insertId must be a string."))
                    converted.append(None)
                    continue
                try:
                    converted.append((conv(r["json"], "", ignore_unknown), iid))
                except RowErr as e:
                    errors.append((idx, "invalid", e.location, e.message))
                    converted.append(None)
            ins_errors = []
            if errors and not skip_invalid:
                bad = {i for i, *_ in errors}
                for idx, reason, loc, msg in errors:
                    ins_errors.append(
                        (idx, {"reason": reason, "location": loc, "debugInfo": "", "message": msg})
                    )
                for idx in range(len(rows)):
                    if idx not in bad:
                        ins_errors.append(
                            (idx, {"reason": "stopped", "location": "", "debugInfo": "",
                                   "message": ""})
                        )
                ins_errors.sort(key=lambda x: x[0])
                return Reply(200, {
                    "kind": "bigquery#tableDataInsertAllResponse",
                    "insertErrors": [{"index": i, "errors": [e]} for i, e in ins_errors],
                })
            while st.dedup:
                k = next(iter(st.dedup))
                if st.dedup[k] >= now - DEDUP_SECONDS:
                    break
                del st.dedup[k]
            tkey = (p, d, t)
            written = False
            for c in converted:
                if c is None:
                    continue
                row, iid = c
                if iid:
                    if (tkey, iid) in st.dedup:
                        continue
                    st.dedup[(tkey, iid)] = now
                tbl.rows.append((row, now))
                written = True
            if written:
                tbl.touch(now)
            resp = {"kind": "bigquery#tableDataInsertAllResponse"}
            if errors:
                resp["insertErrors"] = [
                    {
                        "index": idx,
                        "errors": [
                            {"reason": reason, "location": loc, "debugInfo": "", "message": msg}
                        ],
                    }
                    for idx, reason, loc, msg in errors
                ]
            return Reply(200, resp)

    def h_tabledata_list(self, g, qs, body, email, fault):
        st = self.server.state
        with st.lock:
            tbl = self.get_table(*g)
            rows = [r for r, _ in tbl.rows]
            fields = tbl.fields
            etag = tbl.etag()
        page, token = paginate(rows, qs)
        int64_ts = qs.get("formatOptions.useInt64Timestamp", ["false"])[0] == "true"
        resp = {
            "kind": "bigquery#tableDataList",
            "etag": etag,
            "totalRows": str(len(rows)),
        }
        if page:
            resp["rows"] = [rows_fv(r, fields, int64_ts) for r in page]
        if token:
            resp["pageToken"] = token
        return Reply(200, resp)

    # ------------------------------------------------------------ jobs
    def new_job(self, project, job_id, location, query, config, email):
        st = self.server.state
        now = time.time()
        if job_id is None:
            job_id = "job_" + secrets.token_urlsafe(18).replace("-", "_")
        elif not re.match(r"^[A-Za-z0-9_-]{1,1024}$", job_id):
            raise invalid("Invalid job ID \"%s\"." % job_id)
        if (project, job_id) in st.jobs:
            raise BQError(
                409, "duplicate", "Already Exists: Job %s:%s.%s" % (project, location, job_id)
            )
        ready = now + st.args.job_delay_ms / 1000.0
        job = Job(project, job_id, location, query, config, now, ready, email)
        st.job_seq += 1
        job.seq = st.job_seq
        st.jobs[(project, job_id)] = job
        st.pending.append(job)
        return job

    @staticmethod
    def check_query_config(q):
        query = q.get("query")
        if not isinstance(query, str) or not query.strip():
            raise invalid("Query text must be a non-empty string")
        if q.get("useLegacySql", True) is not False:
            raise invalid_query(
                "Legacy SQL is not modelled by the BigQuery test double: set useLegacySql=false "
                "(BigQuery defaults to legacy SQL when the field is absent)"
            )
        if q.get("queryParameters") or q.get("parameterMode"):
            raise invalid_query("Query parameters are not modelled by the BigQuery test double")
        if q.get("destinationTable"):
            raise invalid_query("destinationTable is not modelled by the BigQuery test double")
        if q.get("dryRun"):
            raise invalid_query("dryRun is not modelled by the BigQuery test double")
        dd = q.get("defaultDataset")
        if dd is not None and (not isinstance(dd, dict) or not dd.get("datasetId")):
            raise invalid("defaultDataset must carry datasetId")
        return query

    @staticmethod
    def default_dataset(q, project):
        dd = q.get("defaultDataset")
        if not dd:
            return None
        return (dd.get("projectId") or project, dd["datasetId"])

    def h_jobs_insert(self, g, qs, body, email, fault):
        st = self.server.state
        (p,) = g
        b = self.json_body(body)
        cfg = b.get("configuration") or {}
        if "query" not in cfg:
            raise invalid("Only query jobs are modelled by the BigQuery test double")
        query = self.check_query_config(cfg["query"])
        if cfg.get("dryRun"):
            raise invalid_query("dryRun is not modelled by the BigQuery test double")
        ref = b.get("jobReference") or {}
        loc = ref.get("location") or "US"
        with st.lock:
            job = self.new_job(p, ref.get("jobId"), loc, query, cfg, email)
            job.default_dataset = self.default_dataset(cfg["query"], p)
            if fault is not None:
                job.forced_error = BQError(fault["status"], fault["reason"], fault["message"])
            return Reply(200, job.to_rest())

    def lookup_job(self, p, jid, qs):
        st = self.server.state
        job = st.jobs.get((p, jid))
        loc = qs.get("location", [None])[0]
        if job is None or (loc is not None and loc != job.location):
            raise BQError(404, "notFound", "Not found: Job %s:%s.%s" % (p, loc or "US", jid))
        return job

    def h_jobs_get(self, g, qs, body, email, fault):
        st = self.server.state
        with st.lock:
            job = self.lookup_job(g[0], g[1], qs)
            st.run_ready_jobs(upto=job)
            return Reply(200, job.to_rest())

    def wait_job(self, job, timeout_ms):
        """Wait (outside the lock) until the job may run or the timeout passes; then run it."""
        st = self.server.state
        deadline = time.time() + max(0, timeout_ms) / 1000.0
        while True:
            with st.lock:
                st.run_ready_jobs(upto=job)
                if job.done:
                    return True
                wait = min(job.ready_at, deadline) - time.time()
            if wait <= 0 and time.time() >= deadline:
                return False
            time.sleep(max(0.005, min(wait, 0.05)))

    def h_jobs_query(self, g, qs, body, email, fault):
        st = self.server.state
        (p,) = g
        b = self.json_body(body)
        query = self.check_query_config(b)
        loc = b.get("location") or "US"
        rid = b.get("requestId")
        if rid is not None and (
            not isinstance(rid, str) or not rid or len(rid) > 36 or not rid.isascii()
        ):
            raise invalid(
                "Invalid requestId \"%s\": it is limited to 36 ASCII characters (a UUID is "
                "recommended)" % rid
            )
        cfg = {"query": {k: b[k] for k in ("query", "useLegacySql") if k in b}, "jobType": "QUERY"}
        # requestId: a duplicate is the same id with the same result-affecting parameters,
        # within 15 minutes; it returns the first request's job (its results, or still running)
        same = (query, b.get("useLegacySql"), json.dumps(b.get("defaultDataset"), sort_keys=True))
        with st.lock:
            job = None
            now = time.time()
            if rid:
                ent = st.request_ids.get((p, rid))
                if ent is not None and ent[1] == same and ent[2] > now - 900:
                    job = st.jobs.get((p, ent[0]))
            if job is None:
                job = self.new_job(p, None, loc, query, cfg, email)
                job.default_dataset = self.default_dataset(b, p)
                if rid:
                    st.request_ids[(p, rid)] = (job.job_id, same, now)
                if fault is not None:
                    job.forced_error = BQError(fault["status"], fault["reason"], fault["message"])
        try:
            timeout = int(b.get("timeoutMs", 10000))
        except (TypeError, ValueError):
            raise invalid("Invalid value for timeoutMs")
        self.wait_job(job, timeout)
        fo = b.get("formatOptions") or {}
        int64_ts = fo.get("useInt64Timestamp") is True
        return self.query_results(job, qs, int64_ts, "bigquery#queryResponse", b)

    def h_jobs_getQueryResults(self, g, qs, body, email, fault):
        st = self.server.state
        with st.lock:
            job = self.lookup_job(g[0], g[1], qs)
        try:
            timeout = int(qs.get("timeoutMs", ["10000"])[0])
        except ValueError:
            raise invalid("Invalid value for timeoutMs")
        self.wait_job(job, timeout)
        int64_ts = qs.get("formatOptions.useInt64Timestamp", ["false"])[0] == "true"
        return self.query_results(job, qs, int64_ts, "bigquery#getQueryResultsResponse", {})

    def query_results(self, job, qs, int64_ts, kind, b):
        st = self.server.state
        with st.lock:
            if not job.done:
                return Reply(200, {"kind": kind, "jobReference": job.ref(), "jobComplete": False})
            if job.error is not None:
                raise job.error
            res = job.result
        resp = {
            "kind": kind,
            "etag": base64.b64encode(job.job_id.encode()).decode()[:16],
            "jobReference": job.ref(),
            "jobComplete": True,
            "totalBytesProcessed": "0",
            "cacheHit": False,
        }
        if isinstance(res, DmlResult):
            resp["numDmlAffectedRows"] = str(res.affected)
            resp["dmlStats"] = dml_stats(res)
            resp["totalRows"] = "0"
            return Reply(200, resp)
        q2 = dict(qs)
        if "maxResults" in b:
            q2["maxResults"] = [str(b["maxResults"])]
        page, token = paginate(res.rows, q2)
        resp["schema"] = schema_to_rest(res.fields)
        resp["totalRows"] = str(len(res.rows))
        if page:  # BigQuery omits "rows" when there are none
            resp["rows"] = [rows_fv(r, res.fields, int64_ts) for r in page]
        if token:
            resp["pageToken"] = token
        return Reply(200, resp)

    # ------------------------------------------------------------ /__test
    def test_control(self, method, path, body):
        st = self.server.state
        parts = [urllib.parse.unquote(x) for x in path.split("/")[2:]]
        if method == "GET" and parts == ["tables"]:
            with st.lock:
                return 200, sorted("%s.%s.%s" % k for k in st.tables)
        if method == "GET" and len(parts) == 4 and parts[0] == "tables":
            with st.lock:
                tbl = st.tables.get(tuple(parts[1:]))
                if tbl is None:
                    msg = "Not found: Table %s:%s.%s" % tuple(parts[1:])
                    return 404, BQError(404, "notFound", msg).envelope()
                return 200, {
                    "schema": schema_to_rest(tbl.fields),
                    "rows": [
                        {f.name: value_test_json(r.get(f.name), f.type) for f in tbl.fields}
                        for r, _ in tbl.rows
                    ],
                }
        if method == "POST" and parts == ["faults"]:
            try:
                f = json.loads(body or b"{}")
                fault = {
                    "method": (f.get("method") or "*").upper(),
                    "regex": re.compile(f.get("path_regex") or ""),
                    "status": int(f.get("status", 503)),
                    "reason": f.get("reason") or "backendError",
                    "count": int(f.get("count", 1)),
                    "query_regex": re.compile(f["query_regex"]) if f.get("query_regex") else None,
                }
                fault["message"] = f.get("message") or DEFAULT_FAULT_MESSAGES.get(
                    fault["reason"], fault["reason"]
                )
            except (ValueError, TypeError, AttributeError, re.error) as e:
                return 400, {"error": "bad fault: %s" % e}
            if fault["count"] <= 0:
                return 400, {"error": "count must be positive"}
            with st.lock:
                st.faults.append(fault)
            return 200, {"ok": True}
        if method == "POST" and parts == ["expire_tokens"]:
            with st.lock:
                for k, (exp, em) in list(st.tokens.items()):
                    st.tokens[k] = (0, em)
            return 200, {"ok": True}
        if method == "GET" and parts == ["stats"]:
            with st.lock:
                return 200, {
                    "requests": dict(st.requests),
                    "tokens_issued": st.tokens_issued,
                    "merges": st.merges,
                    "jobs": len(st.jobs),
                    "faults_pending": sum(f["count"] for f in st.faults),
                }
        if method == "POST" and parts == ["reset"]:
            with st.lock:
                st.reset()
            return 200, {"ok": True}
        return 404, {"error": "unknown test endpoint %s %s" % (method, path)}


def rows_fv(r, fields, int64_ts):
    return {"f": [{"v": value_fv(r.get(f.name), f.type, int64_ts)} for f in fields]}


def paginate(rows, qs):
    try:
        start = int(qs.get("pageToken", qs.get("startIndex", ["0"]))[0])
        maxr = int(qs.get("maxResults", ["100000"])[0])
    except ValueError:
        raise BQError(400, "invalid", "Invalid pageToken, startIndex or maxResults")
    page = rows[start : start + maxr]
    token = str(start + maxr) if start + maxr < len(rows) else None
    return page, token


def check_schema_change(old, new, table, prefix):
    newby = {f.name.lower(): f for f in new}
    oldnames = set()
    for of in old:
        oldnames.add(of.name.lower())
        nf = newby.get(of.name.lower())
        path = prefix + of.name
        if nf is None:
            raise invalid(
                "Provided Schema does not match Table %s. Field %s is missing in new schema"
                % (table, path)
            )
        ob = of.type.elem if of.mode == "REPEATED" else of.type
        nb = nf.type.elem if nf.mode == "REPEATED" else nf.type
        if ob.kind != nb.kind:
            raise invalid(
                "Provided Schema does not match Table %s. Field %s has changed type from %s to %s"
                % (
                    table,
                    path,
                    LEGACY_NAMES.get(ob.kind, ob.kind),
                    LEGACY_NAMES.get(nb.kind, nb.kind),
                )
            )
        if of.mode != nf.mode and not (of.mode == "REQUIRED" and nf.mode == "NULLABLE"):
            raise invalid(
                "Provided Schema does not match Table %s. Field %s has changed mode from %s to %s"
                % (table, path, of.mode, nf.mode)
            )
        if (ob.precision, ob.scale, ob.max_length) != (nb.precision, nb.scale, nb.max_length):
            if not (nb.precision is None and nb.scale is None and nb.max_length is None):
                raise invalid(
                    "Provided Schema does not match Table %s. Field %s has changed its parameters"
                    % (table, path)
                )
        if ob.kind == "STRUCT":
            check_schema_change(ob.fields, nb.fields, table, path + ".")
    for nf in new:
        if nf.name.lower() not in oldnames and nf.mode == "REQUIRED":
            raise invalid(
                "Provided Schema does not match Table %s. Cannot add required fields to an "
                "existing schema. (field: %s)"
                % (table, prefix + nf.name)
            )


def extend_row(row, old, new):
    """Re-shape a stored row for a changed schema: new columns NULL (or [] when REPEATED)."""
    oldby = {f.name.lower(): f for f in old}
    out = {}
    for nf in new:
        of = oldby.get(nf.name.lower())
        if of is None:
            out[nf.name] = [] if nf.mode == "REPEATED" else None
            continue
        v = row.get(of.name)
        nb = nf.type.elem if nf.mode == "REPEATED" else nf.type
        if nb.kind == "STRUCT" and v is not None:
            ob = of.type.elem if of.mode == "REPEATED" else of.type
            if nf.mode == "REPEATED":
                v = [extend_row(x, ob.fields, nb.fields) for x in v]
            else:
                v = extend_row(v, ob.fields, nb.fields)
        out[nf.name] = v
    return out


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, state, public_key, logf):
        super().__init__(addr, Handler)
        self.state = state
        self.public_key = public_key
        self.logf = logf
        self.log_lock = threading.Lock()

    def log(self, line):
        if self.logf is None:
            return
        with self.log_lock:
            self.logf.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))
            self.logf.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description="BigQuery REST API test double (not BigQuery)")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--public-key")
    ap.add_argument("--client-email")
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--token-ttl", type=int, default=3600)
    ap.add_argument("--job-delay-ms", type=int, default=0)
    ap.add_argument("--streaming-buffer-ms", type=int, default=0)
    ap.add_argument("--log")
    args = ap.parse_args(argv)
    if args.token_ttl <= 0:
        ap.error("--token-ttl must be positive")
    public_key = None
    if args.public_key:
        if serialization is None:
            print(
                "bq_test_server: python3-cryptography is required for --public-key",
                file=sys.stderr,
            )
            return 2
        with open(args.public_key, "rb") as fh:
            pem = fh.read()
        try:
            public_key = serialization.load_pem_public_key(pem)
        except ValueError:
            # also accept a private key or a certificate-less PKCS#8 private key file
            public_key = serialization.load_pem_private_key(pem, password=None).public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            print("bq_test_server: --public-key must be an RSA key", file=sys.stderr)
            return 2
    logf = open(args.log, "a") if args.log else None
    state = State(args)
    srv = Server(("127.0.0.1", args.port), state, public_key, logf)

    def sweeper():
        while True:
            time.sleep(0.05)
            with state.lock:
                state.run_ready_jobs()

    threading.Thread(target=sweeper, daemon=True).start()

    def on_term(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as fh:
        fh.write("%d\n" % srv.server_address[1])
    os.replace(tmp, args.port_file)
    srv.log("listening on 127.0.0.1:%d" % srv.server_address[1])
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
        if logf:
            logf.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
