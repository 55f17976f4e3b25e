/*
 * json_parse.cpp — the record JSON decoder: simdjson on-demand for envelopes and payloads, the
 * DOM parser for (rare, cached) schema text. Exposes only the C functions of json_parse.h; no C++
 * exception or allocation escapes it. Never mallocs per record once its buffers are warm; values
 * go into the caller's arena only.
 *
 * simdjson 3.0 compiles its on-demand front end for one kernel only, the "builtin" one the compiler
 * flags allow (x86-64 baseline: the scalar fallback); only stage 1 dispatches at run time. So the
 * walk (json_walk.inc) is compiled here once per x86 kernel under that kernel's target region, and
 * sl_jp_new picks the one matching simdjson's active implementation, chosen once per process. The
 * binary still runs on any CPU of its target: a kernel's code only runs where simdjson found it
 * supported. Honours SIMDJSON_FORCE_IMPLEMENTATION, like stage 1.
 */
/* The worker's C headers have no extern "C" guards of their own. */
extern "C" {
#include "data/value.h"
}
#include "data/json_parse.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include <simdjson.h>

/*
 * More on-demand kernels. The amalgamated simdjson.h guards everything except its generic
 * on-demand code, so including it again with another SIMDJSON_BUILTIN_IMPLEMENTATION compiles just
 * that code into simdjson::<kernel>. Three names it would define a second time are renamed: the
 * `ondemand` namespace and `builtin` alias (the kernel's number_type, which lives in
 * <kernel>::ondemand, is re-exported into the renamed namespace) and the free function trim().
 * simdjson_inline loses always_inline there: std::pair (ondemand::field) is a template compiled for
 * the baseline target, and GCC refuses to force-inline kernel code into it; the compiler still
 * inlines freely between functions of the same kernel.
 * Everything this defines is in or keyed on the kernel's namespace, so no out-of-line copy of a
 * function shared with baseline code is ever compiled for a newer CPU.
 */
/* The trick depends on 3.0's single-header layout (SIMDJSON_BUILTIN_H is its guard of the builtin
 * part); -DSL_JP_BUILTIN_WALK_ONLY builds the builtin walk alone, e.g. for another simdjson. */
#if defined(SIMDJSON_BUILTIN_H) && SIMDJSON_IS_X86_64 && !defined(SL_JP_BUILTIN_WALK_ONLY)
#define SL_JP_SIMDJSON_REINCLUDE 1
static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3 && simdjson::SIMDJSON_VERSION_MINOR == 0,
              "json_parse.cpp re-includes simdjson.h as laid out in 3.0; for another version "
              "check that layout or build with -DSL_JP_BUILTIN_WALK_ONLY");
#endif

#if SL_JP_SIMDJSON_REINCLUDE && SIMDJSON_IMPLEMENTATION_HASWELL &&                                 \
    !SIMDJSON_CAN_ALWAYS_RUN_HASWELL && !SIMDJSON_CAN_ALWAYS_RUN_ICELAKE
#define SL_JP_HASWELL 1
#undef SIMDJSON_H
#undef SIMDJSON_BUILTIN_H
#undef SIMDJSON_BUILTIN_IMPLEMENTATION
#define SIMDJSON_BUILTIN_IMPLEMENTATION haswell
namespace simdjson::haswell::ondemand_haswell
{
using number_type = simdjson::haswell::ondemand::number_type;
}
#define ondemand ondemand_haswell
#define builtin  builtin_haswell
#define trim     trim_haswell
#pragma push_macro("simdjson_inline")
#undef simdjson_inline
#define simdjson_inline inline
SIMDJSON_TARGET_HASWELL
#include <simdjson.h>
SIMDJSON_UNTARGET_HASWELL
#pragma pop_macro("simdjson_inline")
#undef ondemand
#undef builtin
#undef trim
#endif

#if SL_JP_SIMDJSON_REINCLUDE && SIMDJSON_IMPLEMENTATION_WESTMERE &&                                \
    !SIMDJSON_CAN_ALWAYS_RUN_WESTMERE && !SIMDJSON_CAN_ALWAYS_RUN_HASWELL &&                       \
    !SIMDJSON_CAN_ALWAYS_RUN_ICELAKE
#define SL_JP_WESTMERE 1
#undef SIMDJSON_H
#undef SIMDJSON_BUILTIN_H
#undef SIMDJSON_BUILTIN_IMPLEMENTATION
#define SIMDJSON_BUILTIN_IMPLEMENTATION westmere
namespace simdjson::westmere::ondemand_westmere
{
using number_type = simdjson::westmere::ondemand::number_type;
}
#define ondemand ondemand_westmere
#define builtin  builtin_westmere
#define trim     trim_westmere
#pragma push_macro("simdjson_inline")
#undef simdjson_inline
#define simdjson_inline inline
SIMDJSON_TARGET_WESTMERE
#include <simdjson.h>
SIMDJSON_UNTARGET_WESTMERE
#pragma pop_macro("simdjson_inline")
#undef ondemand
#undef builtin
#undef trim
#endif

namespace dom = simdjson::dom;
using simdjson::error_code;
using simdjson::error_message;
using simdjson::INCORRECT_TYPE;
using simdjson::SIMDJSON_PADDING;
using simdjson::SUCCESS;

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
    simdjson::padded_string_view view() const
    {
        return simdjson::padded_string_view(data, len, cap);
    }
};

/* The values of the arrays and objects being built, innermost last; grows, never shrinks. Plain C
 * so that nothing here is a template the kernels could instantiate for a newer CPU. */
struct value_stack {
    const sl_value **v = nullptr;
    size_t n = 0;
    size_t cap = 0;

    ~value_stack()
    {
        free(v);
    }
    size_t size() const
    {
        return n;
    }
    const sl_value **data()
    {
        return v;
    }
    const sl_value *operator[](size_t i) const
    {
        return v[i];
    }
    void resize(size_t base)
    {
        n = base; /* only ever shrinks back to a saved size */
    }
    void push_back(const sl_value *x)
    {
        if (n == cap) {
            grow();
        }
        v[n++] = x;
    }
    void grow()
    {
        size_t c = cap ? cap * 2 : 256;
        auto p = static_cast<const sl_value **>(realloc(v, c * sizeof(*v)));
        if (p == nullptr) {
            abort();
        }
        v = p;
        cap = c;
    }
};

struct walker;

} // namespace

struct sl_jp {
    walker *walk = nullptr; /* the kernel's parsers (main and aux) */
    dom::parser dom;
    padded buf;  /* text for the main parser */
    padded aux;  /* text for the aux parser: deferred payloads, schema defaults */
    padded sbuf; /* schema text for the DOM parser */
    value_stack stack;
};

namespace
{

struct builder {
    sl_jp *p;
    sl_arena *a;
    bool replace_null;
    char *err;
    size_t errlen;
    /* Nesting depth of the value being built. Deeper documents are refused (Jackson's default
     * StreamReadConstraints limit) instead of recursed into: the walk recurses per level, and a
     * record of 50,000 '[' would otherwise overflow a task thread's stack. */
    int depth = 0;
    static constexpr int max_depth = 1000;

    int enter()
    {
        if (++depth > max_depth) {
            return fail("Converting byte[] to Kafka Connect data failed due to serialization "
                        "error: Document nesting depth (%d) exceeds the maximum allowed (%d)",
                        depth, max_depth);
        }
        return 0;
    }

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

/* Counts one nesting level for the life of a build_* call. */
struct depth_guard {
    builder &b;
    explicit depth_guard(builder &bb) : b(bb)
    {
    }
    ~depth_guard()
    {
        b.depth--;
    }
};

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

/* One kernel's on-demand parsers and walk; json_walk.inc implements it per kernel. */
struct walker {
    virtual ~walker()
    {
    }
    /* {"schema":..,"payload":..} → schema and value (json_parse.h's sl_jp_decode_envelope). */
    virtual int envelope(builder &b, const void *data, size_t len, sl_jp_schema_fn schema_fn,
                         void *arg, const sl_schema **schema, const sl_value **value) = 0;
    /* One JSON text of any kind (schema NULL = schemaless), with the main or the aux parser. */
    virtual int text(builder &b, bool aux, const void *data, size_t len, const sl_schema *s,
                     const sl_value **out) = 0;
};

static const char envelope_msg[] =
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
    "contain additional fields. If you are trying to deserialize plain JSON data, set "
    "schemas.enable=false in your converter configuration.";

} // namespace

/* The walk, once per kernel: the builtin one always (fallback, or arm64 etc. off x86), the x86
 * ones under their target regions. */
#define SL_JP_WALK_FN
namespace
{
namespace walk_builtin
{
namespace od = simdjson::builtin::ondemand;
#include "data/json_walk.inc"
} // namespace walk_builtin
} // namespace

/* simdjson_inline is a plain inline in these kernels (see above): flatten gets the always_inline
 * back for the walk itself (about 15% fewer instructions). Not in sanitizer builds, where
 * flattening instrumented code takes GCC minutes and gigabytes for no benefit. */
#undef SL_JP_WALK_FN
#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define SL_JP_WALK_FN __attribute__((flatten))
#else
#define SL_JP_WALK_FN
#endif

#ifdef SL_JP_HASWELL
SIMDJSON_TARGET_HASWELL
namespace
{
namespace walk_haswell
{
namespace od = simdjson::haswell::ondemand_haswell;
#include "data/json_walk.inc"
} // namespace walk_haswell
} // namespace
SIMDJSON_UNTARGET_HASWELL
#endif

#ifdef SL_JP_WESTMERE
SIMDJSON_TARGET_WESTMERE
namespace
{
namespace walk_westmere
{
namespace od = simdjson::westmere::ondemand_westmere;
#include "data/json_walk.inc"
} // namespace walk_westmere
} // namespace
SIMDJSON_UNTARGET_WESTMERE
#endif

namespace
{

using make_walker_fn = walker *(*)();

/* The walk matching the kernel simdjson picked for stage 1 on this CPU. */
make_walker_fn pick_walker()
{
    std::string name = simdjson::get_active_implementation()->name();
#ifdef SL_JP_HASWELL
    if (name == "haswell" || name == "icelake") {
        return walk_haswell::make_walker;
    }
#endif
#ifdef SL_JP_WESTMERE
    if (name == "westmere" || name == "haswell" || name == "icelake") {
        return walk_westmere::make_walker;
    }
#endif
    (void)name;
    return walk_builtin::make_walker;
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
            int rc = b.p->walk->text(b, true, text.data(), text.size(), s, &def);
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
    static const make_walker_fn make = pick_walker(); /* once per process */
    p->walk = make();
    return p;
}

void sl_jp_free(sl_jp *p)
{
    if (p != nullptr) {
        delete p->walk;
    }
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
        return p->walk->text(b, false, data, len, s, value);
    } catch (const std::exception &ex) {
        return b.fail("Converting byte[] to Kafka Connect data failed: %s", ex.what());
    }
}

int sl_jp_decode_schemaless(sl_jp *p, const void *data, size_t len, sl_arena *a,
                            const sl_value **value, char *err, size_t errlen)
{
    return sl_jp_decode_value(p, data, len, a, nullptr, true, value, err, errlen);
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
        int rc = p->walk->envelope(b, data, len, schema_fn, arg, schema, value);
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
