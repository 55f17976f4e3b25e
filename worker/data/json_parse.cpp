/*
 * json_parse.cpp — the record JSON decoder: simdjson on-demand for envelopes and payloads, the
 * DOM parser for (rare, cached) schema text. Exposes only the C functions of json_parse.h; no C++
 * exception or allocation escapes it. Never mallocs per record once its buffers are warm; values
 * go into the caller's arena only.
 */
/* The worker's C headers have no extern "C" guards of their own. */
extern "C" {
#include "data/value.h"
}
#include "data/json_parse.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

using namespace simdjson;

namespace
{

/* A growable buffer with simdjson's required padding after the data. */
struct padded {
    char *data = nullptr;
    size_t cap = 0;
    size_t len = 0;

    ~padded()
    {
        free(data);
    }
    /* Copy text into the buffer, optionally wrapped in [ ] (scalar documents). */
    bool load(const void *p, size_t n, bool wrap)
    {
        size_t need = n + (wrap ? 2 : 0) + SIMDJSON_PADDING;
        if (need > cap) {
            size_t c = cap ? cap : 4096;
            while (c < need) {
                c *= 2;
            }
            char *d = static_cast<char *>(realloc(data, c));
            if (d == nullptr) {
                return false;
            }
            data = d;
            cap = c;
        }
        size_t o = 0;
        if (wrap) {
            data[o++] = '[';
        }
        if (n > 0) {
            memcpy(data + o, p, n);
        }
        o += n;
        if (wrap) {
            data[o++] = ']';
        }
        memset(data + o, 0, SIMDJSON_PADDING);
        len = o;
        return true;
    }
    padded_string_view view() const
    {
        return padded_string_view(data, len, cap);
    }
};

} // namespace

struct sl_jp {
    ondemand::parser od;
    ondemand::parser od_aux;
    dom::parser dom;
    padded buf;
    padded aux;
    padded sbuf;
    std::vector<const sl_value *> stack;
};

namespace
{

struct builder {
    sl_jp *p;
    sl_arena *a;
    bool replace_null;
    char *err;
    size_t errlen;

    int fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
    {
        if (err != nullptr && errlen > 0) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err, errlen, fmt, ap);
            va_end(ap);
        }
        return -1;
    }
    int json_fail(error_code e)
    {
        return fail("Converting byte[] to Kafka Connect data failed due to serialization error: %s",
                    error_message(e));
    }
};

const char *node_type(ondemand::value &v)
{
    ondemand::json_type t;
    if (v.type().get(t)) {
        return "MISSING";
    }
    switch (t) {
    case ondemand::json_type::array:
        return "ARRAY";
    case ondemand::json_type::object:
        return "OBJECT";
    case ondemand::json_type::number:
        return "NUMBER";
    case ondemand::json_type::string:
        return "STRING";
    case ondemand::json_type::boolean:
        return "BOOLEAN";
    case ondemand::json_type::null:
        return "NULL";
    }
    return "MISSING";
}

std::string_view trim_ws(std::string_view s)
{
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

/* Move stack[base..] into an arena array and pop them. */
const sl_value **take(builder &b, size_t base, size_t *n)
{
    size_t cnt = b.p->stack.size() - base;
    auto items = static_cast<const sl_value **>(
        sl_arena_alloc(b.a, (cnt ? cnt : 1) * sizeof(const sl_value *)));
    if (cnt > 0) {
        memcpy(items, b.p->stack.data() + base, cnt * sizeof(const sl_value *));
    }
    b.p->stack.resize(base);
    *n = cnt;
    return items;
}

int null_rule(builder &b, const sl_schema *s, const sl_value **out)
{
    if (s->has_default && s->def != nullptr && b.replace_null) {
        *out = s->def;
        return 0;
    }
    if (s->optional) {
        *out = nullptr;
        return 0;
    }
    return b.fail("Invalid null value for required %s field", sl_type_java_name(s->type));
}

int build_schemaless(builder &b, ondemand::value v, const sl_value **out);

int build_typed(builder &b, ondemand::value v, const sl_schema *s, const sl_value **out)
{
    bool isnull = false;
    if (auto e = v.is_null().get(isnull)) {
        return b.json_fail(e);
    }
    if (isnull) {
        return null_rule(b, s, out);
    }
    switch (s->type) {
    case SLUICE_TYPE_INT8:
    case SLUICE_TYPE_INT16:
    case SLUICE_TYPE_INT32:
    case SLUICE_TYPE_INT64: {
        ondemand::number_type nt;
        if (v.get_number_type().get(nt)) {
            return b.fail("Invalid value for %s field: expected a JSON number, found %s",
                          sl_type_java_name(s->type), node_type(v));
        }
        int64_t x = 0;
        if (nt == ondemand::number_type::floating_point_number) {
            double d = 0;
            if (auto e = v.get_double().get(d)) {
                return b.json_fail(e);
            }
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
                return b.fail("Invalid value for %s field: %g is out of range",
                              sl_type_java_name(s->type), d);
            }
            x = (int64_t)d; /* Jackson's longValue() truncates */
        } else if (v.get_int64().get(x)) {
            return b.fail("Invalid value for %s field: number out of range",
                          sl_type_java_name(s->type));
        }
        static const int64_t lo[] = {0, INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN};
        static const int64_t hi[] = {0, INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
        if (x < lo[s->type] || x > hi[s->type]) {
            return b.fail("Invalid value for %s field: %lld is out of range",
                          sl_type_java_name(s->type), (long long)x);
        }
        *out = sl_value_new_int(b.a, s, s->type, x);
        return 0;
    }
    case SLUICE_TYPE_FLOAT32:
    case SLUICE_TYPE_FLOAT64: {
        double d = 0;
        if (v.get_double().get(d)) {
            return b.fail("Invalid value for %s field: expected a JSON number, found %s",
                          sl_type_java_name(s->type), node_type(v));
        }
        if (s->type == SLUICE_TYPE_FLOAT32) {
            d = (double)(float)d;
        }
        *out = sl_value_new_double(b.a, s, s->type, d);
        return 0;
    }
    case SLUICE_TYPE_BOOLEAN: {
        bool x = false;
        if (v.get_bool().get(x)) {
            return b.fail("Invalid value for BOOLEAN field: expected true or false, found %s",
                          node_type(v));
        }
        *out = sl_value_new_bool(b.a, s, x);
        return 0;
    }
    case SLUICE_TYPE_STRING: {
        std::string_view sv;
        if (v.get_string().get(sv)) {
            return b.fail("Invalid value for STRING field: expected a JSON string, found %s",
                          node_type(v));
        }
        *out = sl_value_new_string(b.a, s, sv.data(), sv.size());
        return 0;
    }
    case SLUICE_TYPE_BYTES: {
        ondemand::json_type t;
        if (auto e = v.type().get(t)) {
            return b.json_fail(e);
        }
        if (s->logical == SLUICE_LOGICAL_DECIMAL && t == ondemand::json_type::number) {
            std::string_view tok = trim_ws(v.raw_json_token());
            const unsigned char *bytes = nullptr;
            size_t n = 0;
            if (sl_decimal_from_text(b.a, tok.data(), tok.size(), s->scale, &bytes, &n) != 0) {
                return b.fail("Invalid decimal %.*s for scale %d", (int)tok.size(), tok.data(),
                              (int)s->scale);
            }
            sl_value *x = sl_value_new_bytes(b.a, s, nullptr, 0);
            x->u.s.p = reinterpret_cast<const char *>(bytes);
            x->u.s.len = n;
            *out = x;
            return 0;
        }
        std::string_view sv;
        if (t != ondemand::json_type::string || v.get_string().get(sv)) {
            return b.fail("Invalid bytes field: expected a Base64 JSON string, found %s",
                          node_type(v));
        }
        size_t cap = sv.size() / 4 * 3 + 3;
        auto bytes = static_cast<unsigned char *>(sl_arena_alloc(b.a, cap + 1));
        ssize_t n = sl_base64_decode(sv.data(), sv.size(), bytes, cap);
        if (n < 0) {
            return b.fail("Invalid bytes field: not valid Base64");
        }
        bytes[n] = 0;
        sl_value *x = sl_value_new_bytes(b.a, s, nullptr, 0);
        x->u.s.p = reinterpret_cast<const char *>(bytes);
        x->u.s.len = (size_t)n;
        *out = x;
        return 0;
    }
    case SLUICE_TYPE_ARRAY: {
        ondemand::array arr;
        if (v.get_array().get(arr)) {
            return b.fail("Arrays should be encoded as JSON arrays, but found %s", node_type(v));
        }
        size_t base = b.p->stack.size();
        for (auto el : arr) {
            ondemand::value ev;
            if (auto e = el.get(ev)) {
                b.p->stack.resize(base);
                return b.json_fail(e);
            }
            const sl_value *item = nullptr;
            if (build_typed(b, ev, s->items, &item) != 0) {
                b.p->stack.resize(base);
                return -1;
            }
            b.p->stack.push_back(item);
        }
        sl_value *x = sl_value_new_array(b.a, s, 0);
        x->u.arr.items = take(b, base, &x->u.arr.n);
        *out = x;
        return 0;
    }
    case SLUICE_TYPE_MAP: {
        size_t base = b.p->stack.size();
        if (s->keys->type == SLUICE_TYPE_STRING) {
            ondemand::object obj;
            if (v.get_object().get(obj)) {
                return b.fail("Maps with string fields should be encoded as JSON objects, but "
                              "found %s",
                              node_type(v));
            }
            for (auto fr : obj) {
                ondemand::field f;
                std::string_view key;
                const sl_value *val = nullptr;
                if (auto e = std::move(fr).get(f)) {
                    b.p->stack.resize(base);
                    return b.json_fail(e);
                }
                if (auto e = f.unescaped_key().get(key)) {
                    b.p->stack.resize(base);
                    return b.json_fail(e);
                }
                const sl_value *k = sl_value_new_string(b.a, s->keys, key.data(), key.size());
                if (build_typed(b, f.value(), s->values, &val) != 0) {
                    b.p->stack.resize(base);
                    return -1;
                }
                b.p->stack.push_back(k);
                b.p->stack.push_back(val);
            }
        } else {
            ondemand::array arr;
            if (v.get_array().get(arr)) {
                return b.fail("Maps with non-string fields should be encoded as JSON array of "
                              "tuples, but found %s",
                              node_type(v));
            }
            for (auto el : arr) {
                ondemand::value ev;
                ondemand::array pair;
                if (el.get(ev) || ev.get_array().get(pair)) {
                    b.p->stack.resize(base);
                    return b.fail("Found invalid map entry instead of array tuple");
                }
                size_t got = 0;
                for (auto pe : pair) {
                    ondemand::value pv;
                    const sl_value *x = nullptr;
                    if (got >= 2 || pe.get(pv) ||
                        build_typed(b, pv, got == 0 ? s->keys : s->values, &x) != 0) {
                        b.p->stack.resize(base);
                        return got >= 2 ? b.fail("Found invalid map entry instead of array tuple")
                                        : -1;
                    }
                    b.p->stack.push_back(x);
                    got++;
                }
                if (got != 2) {
                    b.p->stack.resize(base);
                    return b.fail("Found invalid map entry instead of array tuple");
                }
            }
        }
        size_t n2 = b.p->stack.size() - base;
        sl_value *x = sl_value_new_map(b.a, s, n2 / 2);
        for (size_t i = 0; i < n2 / 2; i++) {
            x->u.map.keys[i] = b.p->stack[base + 2 * i];
            x->u.map.vals[i] = b.p->stack[base + 2 * i + 1];
        }
        b.p->stack.resize(base);
        *out = x;
        return 0;
    }
    case SLUICE_TYPE_STRUCT: {
        ondemand::object obj;
        if (v.get_object().get(obj)) {
            return b.fail("Structs should be encoded as JSON objects, but found %s", node_type(v));
        }
        sl_value *x = sl_value_new_struct(b.a, s);
        auto items = const_cast<const sl_value **>(x->u.arr.items);
        size_t hint = 0;
        for (auto fr : obj) {
            ondemand::field f;
            std::string_view key;
            if (auto e = std::move(fr).get(f)) {
                return b.json_fail(e);
            }
            if (auto e = f.unescaped_key().get(key)) {
                return b.json_fail(e);
            }
            size_t idx = s->nfields;
            /* fields usually arrive in schema order: try the next one first */
            for (size_t k = 0; k < s->nfields; k++) {
                size_t j = (hint + k) % s->nfields;
                const char *fn = s->fields[j].name;
                if (strncmp(fn, key.data(), key.size()) == 0 && fn[key.size()] == '\0') {
                    idx = j;
                    break;
                }
            }
            if (idx == s->nfields) {
                continue; /* unknown members are ignored, like Java */
            }
            hint = idx + 1;
            if (build_typed(b, f.value(), s->fields[idx].schema, &items[idx]) != 0) {
                return -1;
            }
        }
        for (size_t i = 0; i < s->nfields; i++) {
            if (items[i] == nullptr && null_rule(b, s->fields[i].schema, &items[i]) != 0) {
                return b.fail("Invalid null value for required %s field \"%s\"",
                              sl_type_java_name(s->fields[i].schema->type), s->fields[i].name);
            }
        }
        *out = x;
        return 0;
    }
    default:
        return b.fail("Unknown schema type %d", (int)s->type);
    }
}

int build_schemaless(builder &b, ondemand::value v, const sl_value **out)
{
    ondemand::json_type t;
    if (auto e = v.type().get(t)) {
        return b.json_fail(e);
    }
    switch (t) {
    case ondemand::json_type::null: {
        bool isnull = false;
        if (auto e = v.is_null().get(isnull)) {
            return b.json_fail(e);
        }
        if (!isnull) {
            return b.json_fail(INCORRECT_TYPE);
        }
        *out = nullptr;
        return 0;
    }
    case ondemand::json_type::boolean: {
        bool x = false;
        if (auto e = v.get_bool().get(x)) {
            return b.json_fail(e);
        }
        *out = sl_value_new_bool(b.a, nullptr, x);
        return 0;
    }
    case ondemand::json_type::number: {
        ondemand::number_type nt;
        if (auto e = v.get_number_type().get(nt)) {
            return b.json_fail(e);
        }
        if (nt == ondemand::number_type::signed_integer) {
            int64_t x = 0;
            if (auto e = v.get_int64().get(x)) {
                return b.json_fail(e);
            }
            *out = sl_value_new_int(b.a, nullptr, SLUICE_TYPE_INT64, x);
            return 0;
        }
        double d = 0;
        if (auto e = v.get_double().get(d)) {
            return b.json_fail(e);
        }
        *out = sl_value_new_double(b.a, nullptr, SLUICE_TYPE_FLOAT64, d);
        return 0;
    }
    case ondemand::json_type::string: {
        std::string_view sv;
        if (auto e = v.get_string().get(sv)) {
            return b.json_fail(e);
        }
        *out = sl_value_new_string(b.a, nullptr, sv.data(), sv.size());
        return 0;
    }
    case ondemand::json_type::array: {
        ondemand::array arr;
        if (auto e = v.get_array().get(arr)) {
            return b.json_fail(e);
        }
        size_t base = b.p->stack.size();
        for (auto el : arr) {
            ondemand::value ev;
            const sl_value *item = nullptr;
            if (auto e = el.get(ev)) {
                b.p->stack.resize(base);
                return b.json_fail(e);
            }
            if (build_schemaless(b, ev, &item) != 0) {
                b.p->stack.resize(base);
                return -1;
            }
            b.p->stack.push_back(item);
        }
        sl_value *x = sl_value_new_array(b.a, nullptr, 0);
        x->u.arr.items = take(b, base, &x->u.arr.n);
        *out = x;
        return 0;
    }
    case ondemand::json_type::object: {
        ondemand::object obj;
        if (auto e = v.get_object().get(obj)) {
            return b.json_fail(e);
        }
        size_t base = b.p->stack.size();
        for (auto fr : obj) {
            ondemand::field f;
            std::string_view key;
            const sl_value *val = nullptr;
            if (auto e = std::move(fr).get(f)) {
                b.p->stack.resize(base);
                return b.json_fail(e);
            }
            if (auto e = f.unescaped_key().get(key)) {
                b.p->stack.resize(base);
                return b.json_fail(e);
            }
            const sl_value *k = sl_value_new_string(b.a, nullptr, key.data(), key.size());
            if (build_schemaless(b, f.value(), &val) != 0) {
                b.p->stack.resize(base);
                return -1;
            }
            b.p->stack.push_back(k);
            b.p->stack.push_back(val);
        }
        size_t n2 = b.p->stack.size() - base;
        sl_value *x = sl_value_new_map(b.a, nullptr, n2 / 2);
        for (size_t i = 0; i < n2 / 2; i++) {
            x->u.map.keys[i] = b.p->stack[base + 2 * i];
            x->u.map.vals[i] = b.p->stack[base + 2 * i + 1];
        }
        b.p->stack.resize(base);
        *out = x;
        return 0;
    }
    }
    return b.json_fail(INCORRECT_TYPE);
}

/* Decode one JSON text (any top-level kind) with the aux parser: it is wrapped in [ ]. */
int decode_wrapped(builder &b, ondemand::parser &parser, padded &pb, const void *data, size_t len,
                   const sl_schema *s, const sl_value **out)
{
    if (!pb.load(data, len, true)) {
        return b.fail("out of memory");
    }
    ondemand::document doc;
    if (auto e = parser.iterate(pb.view()).get(doc)) {
        return b.json_fail(e);
    }
    ondemand::array arr;
    if (auto e = doc.get_array().get(arr)) {
        return b.json_fail(e);
    }
    size_t n = 0;
    int rc = -1;
    for (auto el : arr) {
        ondemand::value v;
        if (auto e = el.get(v)) {
            return b.json_fail(e);
        }
        if (n++ > 0) {
            return b.fail("Converting byte[] to Kafka Connect data failed due to serialization "
                          "error: more than one JSON value");
        }
        rc = s != nullptr ? build_typed(b, v, s, out) : build_schemaless(b, v, out);
        if (rc != 0) {
            return rc;
        }
    }
    if (n == 0) {
        return b.fail("Converting byte[] to Kafka Connect data failed due to serialization "
                      "error: no content");
    }
    return rc;
}

/* ---- schema text (DOM) ---- */

sl_schema *schema_from_dom(builder &b, dom::element e);

sl_schema *schema_fail(builder &b, const char *msg)
{
    b.fail("%s", msg);
    return nullptr;
}

sl_schema *schema_from_dom(builder &b, dom::element e)
{
    dom::object o;
    if (e.get_object().get(o)) {
        return schema_fail(b, "Schema must contain 'type' field");
    }
    std::string_view tname;
    if (o["type"].get_string().get(tname)) {
        return schema_fail(b, "Schema must contain 'type' field");
    }
    int type = sl_type_from_json_name(tname.data(), tname.size());
    if (type < 0) {
        b.fail("Unknown schema type: %.*s", (int)tname.size(), tname.data());
        return nullptr;
    }
    bool optional = false;
    dom::element x;
    if (!o["optional"].get(x)) {
        if (x.get_bool().get(optional)) {
            return schema_fail(b, "Schema's 'optional' field must be a boolean");
        }
    }
    std::string name;
    bool has_name = false;
    if (!o["name"].get(x) && !x.is_null()) {
        std::string_view sv;
        if (x.get_string().get(sv)) {
            return schema_fail(b, "Schema 'name' field must be a string");
        }
        name.assign(sv.data(), sv.size());
        has_name = true;
    }
    sl_schema *s = sl_schema_new(b.a, type, optional, has_name ? name.c_str() : nullptr);
    if (!o["version"].get(x) && !x.is_null()) {
        int64_t ver = 0;
        if (x.get_int64().get(ver) || ver < INT32_MIN || ver > INT32_MAX) {
            return schema_fail(b, "Schema version must be an integer");
        }
        s->version = (int32_t)ver;
    }
    if (!o["doc"].get(x) && !x.is_null()) {
        std::string_view sv;
        if (x.get_string().get(sv)) {
            return schema_fail(b, "Schema 'doc' field must be a string");
        }
        s->doc = sl_arena_strndup(b.a, sv.data(), sv.size());
    }
    if (!o["parameters"].get(x) && !x.is_null()) {
        dom::object po;
        if (x.get_object().get(po)) {
            return schema_fail(b, "Schema parameters must be a JSON object");
        }
        for (auto kv : po) {
            std::string_view sv;
            if (kv.value.get_string().get(sv)) {
                return schema_fail(b, "Schema parameters must have string values.");
            }
            std::string k(kv.key.data(), kv.key.size());
            std::string v(sv.data(), sv.size());
            sl_schema_set_param(b.a, s, k.c_str(), v.c_str());
        }
    }
    switch (type) {
    case SLUICE_TYPE_ARRAY:
        if (o["items"].get(x) || x.is_null()) {
            return schema_fail(b, "Array schema did not specify the element type");
        }
        if ((s->items = schema_from_dom(b, x)) == nullptr) {
            return nullptr;
        }
        break;
    case SLUICE_TYPE_MAP:
        if (o["keys"].get(x) || x.is_null()) {
            return schema_fail(b, "Map schema did not specify the key type");
        }
        if ((s->keys = schema_from_dom(b, x)) == nullptr) {
            return nullptr;
        }
        if (o["values"].get(x) || x.is_null()) {
            return schema_fail(b, "Map schema did not specify the value type");
        }
        if ((s->values = schema_from_dom(b, x)) == nullptr) {
            return nullptr;
        }
        break;
    case SLUICE_TYPE_STRUCT: {
        dom::array fa;
        if (o["fields"].get(x) || x.get_array().get(fa)) {
            return schema_fail(b, "Struct schema's \"fields\" argument is not an array.");
        }
        for (dom::element fe : fa) {
            std::string_view fname;
            if (fe["field"].get_string().get(fname)) {
                return schema_fail(b, "Struct schema's field name not specified properly");
            }
            sl_schema *fs = schema_from_dom(b, fe);
            if (fs == nullptr) {
                return nullptr;
            }
            std::string fn(fname.data(), fname.size());
            sl_schema_add_field(b.a, s, fn.c_str(), fs);
        }
        break;
    }
    default:
        break;
    }
    if (!o["default"].get(x)) {
        s->has_default = 1;
        if (!x.is_null()) {
            std::string text = simdjson::minify(x);
            const sl_value *def = nullptr;
            bool saved = b.replace_null;
            b.replace_null = false;
            int rc = decode_wrapped(b, b.p->od_aux, b.p->aux, text.data(), text.size(), s, &def);
            b.replace_null = saved;
            if (rc != 0) {
                return nullptr;
            }
            s->def = def;
        }
    }
    return s;
}

} // namespace

extern "C" {

sl_jp *sl_jp_new(void)
{
    sl_jp *p = new (std::nothrow) sl_jp();
    if (p == nullptr) {
        abort();
    }
    p->stack.reserve(256);
    return p;
}

void sl_jp_free(sl_jp *p)
{
    delete p;
}

sl_schema *sl_jp_parse_schema(sl_jp *p, const char *raw, size_t len, sl_arena *a, char *err,
                              size_t errlen)
{
    builder b{p, a, false, err, errlen};
    try {
        if (!p->sbuf.load(raw, len, false)) {
            b.fail("out of memory");
            return nullptr;
        }
        dom::element root;
        if (auto e = p->dom.parse(p->sbuf.data, p->sbuf.len, false).get(root)) {
            b.json_fail(e);
            return nullptr;
        }
        return schema_from_dom(b, root);
    } catch (const std::exception &ex) {
        b.fail("Converting byte[] to Kafka Connect data failed: %s", ex.what());
        return nullptr;
    }
}

int sl_jp_decode_value(sl_jp *p, const void *data, size_t len, sl_arena *a, const sl_schema *s,
                       bool replace_null_with_default, const sl_value **value, char *err,
                       size_t errlen)
{
    builder b{p, a, replace_null_with_default, err, errlen};
    *value = nullptr;
    try {
        return decode_wrapped(b, p->od, p->buf, data, len, s, value);
    } catch (const std::exception &ex) {
        return b.fail("Converting byte[] to Kafka Connect data failed: %s", ex.what());
    }
}

int sl_jp_decode_schemaless(sl_jp *p, const void *data, size_t len, sl_arena *a,
                            const sl_value **value, char *err, size_t errlen)
{
    return sl_jp_decode_value(p, data, len, a, nullptr, true, value, err, errlen);
}

static const char envelope_msg[] =
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
    "contain additional fields. If you are trying to deserialize plain JSON data, set "
    "schemas.enable=false in your converter configuration.";

static int decode_envelope(builder &b, const void *data, size_t len, sl_jp_schema_fn schema_fn,
                           void *arg, const sl_schema **schema, const sl_value **value)
{
    sl_jp *p = b.p;
    if (!p->buf.load(data, len, false)) {
        return b.fail("out of memory");
    }
    ondemand::document doc;
    if (auto e = p->od.iterate(p->buf.view()).get(doc)) {
        return b.json_fail(e);
    }
    ondemand::json_type t;
    if (auto e = doc.type().get(t)) {
        return b.json_fail(e);
    }
    if (t != ondemand::json_type::object) {
        return b.fail("%s", envelope_msg);
    }
    ondemand::object obj;
    if (auto e = doc.get_object().get(obj)) {
        return b.json_fail(e);
    }
    size_t members = 0;
    bool has_schema = false, has_payload = false, deferred = false;
    std::string_view payload_raw;
    for (auto fr : obj) {
        ondemand::field f;
        std::string_view key;
        if (auto e = std::move(fr).get(f)) {
            return b.json_fail(e);
        }
        if (auto e = f.unescaped_key().get(key)) {
            return b.json_fail(e);
        }
        members++;
        ondemand::value v = f.value();
        if (key == "schema") {
            has_schema = true;
            bool isnull = false;
            if (auto e = v.is_null().get(isnull)) {
                return b.json_fail(e);
            }
            if (isnull) {
                *schema = nullptr;
                continue;
            }
            ondemand::object so;
            std::string_view raw;
            if (v.get_object().get(so)) {
                return b.fail("Schema must contain 'type' field");
            }
            if (auto e = so.raw_json().get(raw)) {
                return b.json_fail(e);
            }
            *schema = schema_fn(arg, raw.data(), raw.size(), b.a, b.err, b.errlen);
            if (*schema == nullptr) {
                return -1;
            }
        } else if (key == "payload") {
            has_payload = true;
            if (has_schema) {
                int rc = *schema != nullptr ? build_typed(b, v, *schema, value)
                                            : build_schemaless(b, v, value);
                if (rc != 0) {
                    return rc;
                }
                continue;
            }
            /* payload before schema: keep its text and decode it once the schema is known */
            deferred = true;
            ondemand::json_type pt;
            if (auto e = v.type().get(pt)) {
                return b.json_fail(e);
            }
            error_code e = SUCCESS;
            if (pt == ondemand::json_type::object) {
                ondemand::object po;
                e = v.get_object().get(po);
                if (!e) {
                    e = po.raw_json().get(payload_raw);
                }
            } else if (pt == ondemand::json_type::array) {
                ondemand::array pa;
                e = v.get_array().get(pa);
                if (!e) {
                    e = pa.raw_json().get(payload_raw);
                }
            } else {
                payload_raw = trim_ws(v.raw_json_token());
            }
            if (e) {
                return b.json_fail(e);
            }
        }
    }
    if (members != 2 || !has_schema || !has_payload) {
        return b.fail("%s", envelope_msg);
    }
    if (deferred) {
        return decode_wrapped(b, p->od_aux, p->aux, payload_raw.data(), payload_raw.size(), *schema,
                              value);
    }
    return 0;
}

int sl_jp_decode_envelope(sl_jp *p, const void *data, size_t len, sl_arena *a,
                          bool replace_null_with_default, sl_jp_schema_fn schema_fn, void *arg,
                          const sl_schema **schema, const sl_value **value, char *err,
                          size_t errlen)
{
    builder b{p, a, replace_null_with_default, err, errlen};
    *schema = nullptr;
    *value = nullptr;
    try {
        int rc = decode_envelope(b, data, len, schema_fn, arg, schema, value);
        if (rc != 0) {
            *schema = nullptr;
            *value = nullptr;
        }
        return rc;
    } catch (const std::exception &ex) {
        *schema = nullptr;
        *value = nullptr;
        return b.fail("Converting byte[] to Kafka Connect data failed: %s", ex.what());
    }
}

} /* extern "C" */
