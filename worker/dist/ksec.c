/*
 * ksec.c — security settings, JAAS parsing and SASL PLAIN/SCRAM client computations (ksec.h).
 * Error messages name keys, never values of sasl.jaas.config, passwords or key passwords.
 */
#include "ksec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "util/mem.h"

#define SCRAM_MIN_ITERATIONS 4096 /* as Kafka's ScramMechanism.minIterations */

static void wipe_free(char *s)
{
    if (s != NULL) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

const char *sl_ksasl_mech_name(sl_ksasl_mech m)
{
    switch (m) {
    case SL_KSASL_PLAIN:
        return "PLAIN";
    case SL_KSASL_SCRAM_SHA_256:
        return "SCRAM-SHA-256";
    case SL_KSASL_SCRAM_SHA_512:
        return "SCRAM-SHA-512";
    default:
        return "NONE";
    }
}

/* ------------------------------------------------------------- JAAS */

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    return s;
}

/* A bare token: letters, digits, and . _ - $ / : */
static const char *read_word(const char *s, sl_buf *out)
{
    sl_buf_reset(out);
    while (*s && (isalnum((unsigned char)*s) || strchr("._-$/:", *s) != NULL)) {
        sl_buf_putc(out, *s++);
    }
    return s;
}

static const char *read_quoted(const char *s, sl_buf *out)
{
    char q = *s++;
    sl_buf_reset(out);
    sl_buf_append(out, "", 0);
    while (*s && *s != q) {
        if (*s == '\\' && s[1] != '\0') {
            s++;
        }
        sl_buf_putc(out, *s++);
    }
    return *s == q ? s + 1 : NULL;
}

void sl_ksec_jaas_free(sl_ksec_jaas *j)
{
    if (j == NULL) {
        return;
    }
    free(j->module);
    free(j->flag);
    if (j->options != NULL) {
        for (size_t i = 0; i < sl_props_count(j->options); i++) {
            const char *v = sl_props_value_at(j->options, i);
            if (v != NULL) {
                OPENSSL_cleanse((void *)v, strlen(v));
            }
        }
        sl_props_free(j->options);
    }
    memset(j, 0, sizeof *j);
}

int sl_ksec_jaas_parse(const char *text, sl_ksec_jaas *out, char *err, size_t errlen)
{
    sl_buf tok = SL_BUF_INIT, val = SL_BUF_INIT;
    memset(out, 0, sizeof *out);
    out->options = sl_props_new();
    const char *s = skip_ws(text ? text : "");
    s = read_word(s, &tok);
    if (tok.len == 0) {
        snprintf(err, errlen, "sasl.jaas.config: expected a login module class name");
        goto fail;
    }
    out->module = sl_xstrdup(tok.data);
    s = read_word(skip_ws(s), &tok);
    if (tok.len == 0 ||
        (strcasecmp(tok.data, "required") != 0 && strcasecmp(tok.data, "requisite") != 0 &&
         strcasecmp(tok.data, "sufficient") != 0 && strcasecmp(tok.data, "optional") != 0)) {
        snprintf(err, errlen,
                 "sasl.jaas.config: expected a control flag (required, requisite, sufficient or "
                 "optional) after %s",
                 out->module);
        goto fail;
    }
    out->flag = sl_xstrdup(tok.data);
    for (;;) {
        s = skip_ws(s);
        if (*s == ';') {
            s = skip_ws(s + 1);
            if (*s != '\0') {
                snprintf(err, errlen, "sasl.jaas.config: only one login module entry is supported");
                goto fail;
            }
            break;
        }
        if (*s == '\0') {
            snprintf(err, errlen, "sasl.jaas.config: the entry must end with ';'");
            goto fail;
        }
        s = read_word(s, &tok);
        if (tok.len == 0) {
            snprintf(err, errlen, "sasl.jaas.config: expected an option name");
            goto fail;
        }
        s = skip_ws(s);
        if (*s != '=') {
            snprintf(err, errlen, "sasl.jaas.config: expected '=' after option %s", tok.data);
            goto fail;
        }
        s = skip_ws(s + 1);
        if (*s == '"' || *s == '\'') {
            s = read_quoted(s, &val);
            if (s == NULL) {
                snprintf(err, errlen, "sasl.jaas.config: unterminated quoted value of option %s",
                         tok.data);
                goto fail;
            }
        } else {
            s = read_word(s, &val);
            if (val.len == 0) {
                snprintf(err, errlen, "sasl.jaas.config: missing value of option %s", tok.data);
                goto fail;
            }
        }
        sl_props_set(out->options, tok.data, val.data ? val.data : "");
        if (val.data != NULL) {
            OPENSSL_cleanse(val.data, val.len);
        }
    }
    sl_buf_free(&tok);
    sl_buf_free(&val);
    return 0;
fail:
    if (val.data != NULL) {
        OPENSSL_cleanse(val.data, val.len);
    }
    sl_buf_free(&tok);
    sl_buf_free(&val);
    sl_ksec_jaas_free(out);
    return -1;
}

/* ------------------------------------------------------------- settings */

void sl_ksec_conf_free(sl_ksec_conf *c)
{
    if (c == NULL) {
        return;
    }
    free(c->ca_file);
    free(c->cert_file);
    free(c->key_file);
    wipe_free(c->key_password);
    free(c->username);
    wipe_free(c->password);
    memset(c, 0, sizeof *c);
}

static const char *get_nonempty(const sl_props *p, const char *key)
{
    const char *v = sl_props_get(p, key);
    return v != NULL && *v != '\0' ? v : NULL;
}

static bool file_is_pem(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return false;
    }
    char head[4096];
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    return strstr(head, "-----BEGIN ") != NULL;
}

static int parse_ssl(const sl_props *p, sl_ksec_conf *c, char *err, size_t errlen)
{
    static const char *unsupported[] = {"ssl.truststore.certificates",
                                        "ssl.keystore.key",
                                        "ssl.keystore.certificate.chain",
                                        "ssl.ca.pem",
                                        "ssl.certificate.pem",
                                        "ssl.key.pem"};
    for (size_t i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        if (get_nonempty(p, unsupported[i]) != NULL) {
            snprintf(err, errlen,
                     "%s: inline PEM is not supported by the group client; point "
                     "ssl.ca.location/ssl.certificate.location/ssl.key.location at files",
                     unsupported[i]);
            return -1;
        }
    }
    const char *ca = get_nonempty(p, "ssl.ca.location");
    const char *ts = get_nonempty(p, "ssl.truststore.location");
    const char *tstype = get_nonempty(p, "ssl.truststore.type");
    if (ca != NULL) {
        c->ca_file = sl_xstrdup(ca);
    } else if (ts != NULL) {
        if ((tstype != NULL && strcasecmp(tstype, "PEM") != 0) || !file_is_pem(ts)) {
            snprintf(err, errlen,
                     "ssl.truststore.location: only PEM truststores are supported (got %s %s); "
                     "convert it to PEM or set ssl.ca.location",
                     tstype ? tstype : "a non-PEM", tstype ? "store" : "file");
            return -1;
        }
        c->ca_file = sl_xstrdup(ts);
    }
    const char *cert = get_nonempty(p, "ssl.certificate.location");
    const char *key = get_nonempty(p, "ssl.key.location");
    const char *ks = get_nonempty(p, "ssl.keystore.location");
    const char *kstype = get_nonempty(p, "ssl.keystore.type");
    if (cert == NULL && ks != NULL) {
        if ((kstype != NULL && strcasecmp(kstype, "PEM") != 0) || !file_is_pem(ks)) {
            snprintf(err, errlen,
                     "ssl.keystore.location: only PEM keystores are supported; use "
                     "ssl.certificate.location and ssl.key.location with PEM files");
            return -1;
        }
        cert = ks;
        key = key ? key : ks;
    }
    if ((cert == NULL) != (key == NULL)) {
        snprintf(err, errlen,
                 "%s: a client certificate needs both ssl.certificate.location and "
                 "ssl.key.location",
                 cert ? "ssl.key.location" : "ssl.certificate.location");
        return -1;
    }
    c->cert_file = cert ? sl_xstrdup(cert) : NULL;
    c->key_file = key ? sl_xstrdup(key) : NULL;
    const char *kp = get_nonempty(p, "ssl.key.password");
    if (kp == NULL && ks != NULL && cert == ks) {
        kp = get_nonempty(p, "ssl.keystore.password");
    }
    c->key_password = kp ? sl_xstrdup(kp) : NULL;
    c->verify_peer = sl_props_get_bool(p, "enable.ssl.certificate.verification", true);
    const char *alg = sl_props_get(p, "ssl.endpoint.identification.algorithm");
    if (alg == NULL || strcasecmp(alg, "https") == 0) {
        c->verify_hostname = true;
    } else if (*alg == '\0' || strcasecmp(alg, "none") == 0) {
        c->verify_hostname = false;
    } else {
        snprintf(err, errlen,
                 "ssl.endpoint.identification.algorithm: unsupported value '%s' (https, none or "
                 "empty)",
                 alg);
        return -1;
    }
    return 0;
}

static int parse_mech(const sl_props *p, sl_ksec_conf *c, const char **key, char *err,
                      size_t errlen)
{
    const char *m = get_nonempty(p, "sasl.mechanism");
    *key = "sasl.mechanism";
    if (m == NULL) {
        m = get_nonempty(p, "sasl.mechanisms");
        *key = m ? "sasl.mechanisms" : "sasl.mechanism";
    }
    if (m == NULL) {
        snprintf(err, errlen,
                 "sasl.mechanism: GSSAPI (the default) is not supported by the group client; set "
                 "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512");
        return -1;
    }
    if (strcasecmp(m, "PLAIN") == 0) {
        c->mech = SL_KSASL_PLAIN;
    } else if (strcasecmp(m, "SCRAM-SHA-256") == 0) {
        c->mech = SL_KSASL_SCRAM_SHA_256;
    } else if (strcasecmp(m, "SCRAM-SHA-512") == 0) {
        c->mech = SL_KSASL_SCRAM_SHA_512;
    } else {
        snprintf(err, errlen,
                 "%s: mechanism '%s' is not supported by the group client (PLAIN, SCRAM-SHA-256, "
                 "SCRAM-SHA-512)",
                 *key, m);
        return -1;
    }
    return 0;
}

static int parse_credentials(const sl_props *p, sl_ksec_conf *c, char *err, size_t errlen)
{
    const char *jaas = get_nonempty(p, "sasl.jaas.config");
    if (jaas != NULL) {
        sl_ksec_jaas j;
        if (sl_ksec_jaas_parse(jaas, &j, err, errlen) != 0) {
            return -1;
        }
        const char *want = c->mech == SL_KSASL_PLAIN ? "PlainLoginModule" : "ScramLoginModule";
        const char *dot = strrchr(j.module, '.');
        const char *cls = dot ? dot + 1 : j.module;
        if (strcmp(cls, want) != 0) {
            snprintf(err, errlen,
                     "sasl.jaas.config: login module %s does not match sasl.mechanism %s "
                     "(expected %s)",
                     j.module, sl_ksasl_mech_name(c->mech), want);
            sl_ksec_jaas_free(&j);
            return -1;
        }
        const char *u = sl_props_get(j.options, "username");
        const char *pw = sl_props_get(j.options, "password");
        if (u == NULL || pw == NULL) {
            snprintf(err, errlen, "sasl.jaas.config: %s needs both username and password options",
                     cls);
            sl_ksec_jaas_free(&j);
            return -1;
        }
        c->username = sl_xstrdup(u);
        c->password = sl_xstrdup(pw);
        sl_ksec_jaas_free(&j);
        return 0;
    }
    const char *u = sl_props_get(p, "sasl.username");
    const char *pw = sl_props_get(p, "sasl.password");
    if (u == NULL || pw == NULL) {
        snprintf(
            err, errlen,
            "sasl.jaas.config: no SASL credentials (set sasl.jaas.config, or sasl.username and "
            "sasl.password)");
        return -1;
    }
    c->username = sl_xstrdup(u);
    c->password = sl_xstrdup(pw);
    return 0;
}

int sl_ksec_conf_parse(const sl_props *p, sl_ksec_conf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *proto = get_nonempty(p, "security.protocol");
    if (proto == NULL || strcasecmp(proto, "PLAINTEXT") == 0) {
        /* nothing */
    } else if (strcasecmp(proto, "SSL") == 0) {
        out->ssl = true;
    } else if (strcasecmp(proto, "SASL_PLAINTEXT") == 0) {
        out->sasl = true;
    } else if (strcasecmp(proto, "SASL_SSL") == 0) {
        out->ssl = out->sasl = true;
    } else {
        snprintf(err, errlen,
                 "security.protocol: unsupported value '%s' (PLAINTEXT, SSL, SASL_PLAINTEXT, "
                 "SASL_SSL)",
                 proto);
        return -1;
    }
    if (out->ssl && parse_ssl(p, out, err, errlen) != 0) {
        sl_ksec_conf_free(out);
        return -1;
    }
    if (out->sasl) {
        const char *key;
        if (parse_mech(p, out, &key, err, errlen) != 0 ||
            parse_credentials(p, out, err, errlen) != 0) {
            sl_ksec_conf_free(out);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------- base64 */

void sl_ksec_b64_encode(const void *p, size_t len, sl_buf *out)
{
    size_t n = 4 * ((len + 2) / 3);
    sl_buf_reserve(out, n + 1);
    EVP_EncodeBlock((unsigned char *)out->data + out->len, p, (int)len);
    out->len += n;
    out->data[out->len] = '\0';
}

int sl_ksec_b64_decode(const char *s, size_t len, sl_buf *out)
{
    if (len % 4 != 0) {
        return -1;
    }
    size_t pad = 0;
    if (len >= 1 && s[len - 1] == '=') {
        pad++;
    }
    if (len >= 2 && s[len - 2] == '=') {
        pad++;
    }
    sl_buf_reserve(out, len / 4 * 3 + 1);
    int n =
        EVP_DecodeBlock((unsigned char *)out->data + out->len, (const unsigned char *)s, (int)len);
    if (n < 0 || (size_t)n < pad) {
        return -1;
    }
    out->len += (size_t)n - pad;
    out->data[out->len] = '\0';
    return 0;
}

/* ------------------------------------------------------------- PLAIN */

void sl_ksasl_plain_message(const char *user, const char *password, sl_buf *out)
{
    sl_buf_reset(out);
    sl_buf_putc(out, '\0');
    sl_buf_puts(out, user);
    sl_buf_putc(out, '\0');
    sl_buf_puts(out, password);
}

/* ------------------------------------------------------------- SCRAM */

static const EVP_MD *scram_md(sl_ksasl_mech m)
{
    return m == SL_KSASL_SCRAM_SHA_256   ? EVP_sha256()
           : m == SL_KSASL_SCRAM_SHA_512 ? EVP_sha512()
                                         : NULL;
}

void sl_kscram_clear(sl_kscram *s)
{
    wipe_free(s->user);
    wipe_free(s->password);
    if (s->client_first_bare.data != NULL) {
        OPENSSL_cleanse(s->client_first_bare.data, s->client_first_bare.len);
    }
    sl_buf_free(&s->client_first_bare);
    OPENSSL_cleanse(s, sizeof *s);
    memset(s, 0, sizeof *s);
}

/* saslname: ',' → "=2C", '=' → "=3D" (RFC 5802 5.1). */
static void put_saslname(sl_buf *b, const char *u)
{
    for (; *u; u++) {
        if (*u == ',') {
            sl_buf_puts(b, "=2C");
        } else if (*u == '=') {
            sl_buf_puts(b, "=3D");
        } else {
            sl_buf_putc(b, *u);
        }
    }
}

int sl_kscram_first(sl_kscram *s, sl_ksasl_mech mech, const char *user, const char *password,
                    const char *nonce, sl_buf *out)
{
    memset(s, 0, sizeof *s);
    if (scram_md(mech) == NULL) {
        return -1;
    }
    s->mech = mech;
    s->user = sl_xstrdup(user);
    s->password = sl_xstrdup(password);
    s->digest_len = (size_t)EVP_MD_get_size(scram_md(mech));
    if (nonce != NULL) {
        snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
    } else {
        unsigned char raw[24];
        sl_buf b = SL_BUF_INIT;
        if (RAND_bytes(raw, sizeof raw) != 1) {
            return -1;
        }
        sl_ksec_b64_encode(raw, sizeof raw, &b); /* 32 chars, no padding, no ',' */
        snprintf(s->nonce, sizeof s->nonce, "%s", b.data);
        sl_buf_free(&b);
    }
    sl_buf_reset(&s->client_first_bare);
    sl_buf_puts(&s->client_first_bare, "n=");
    put_saslname(&s->client_first_bare, user);
    sl_buf_puts(&s->client_first_bare, ",r=");
    sl_buf_puts(&s->client_first_bare, s->nonce);
    sl_buf_reset(out);
    sl_buf_puts(out, "n,,");
    sl_buf_append(out, s->client_first_bare.data, s->client_first_bare.len);
    return 0;
}

/* Finds attribute `a=` in a comma-separated SCRAM message; returns its value slice. */
static bool scram_attr(const char *msg, size_t len, char a, const char **v, size_t *vlen)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && msg[j] != ',') {
            j++;
        }
        if (j - i >= 2 && msg[i] == a && msg[i + 1] == '=') {
            *v = msg + i + 2;
            *vlen = j - i - 2;
            return true;
        }
        i = j + 1;
    }
    return false;
}

static int hmac(const EVP_MD *md, const void *key, size_t klen, const void *data, size_t dlen,
                unsigned char *out)
{
    unsigned int n = 0;
    return HMAC(md, key, (int)klen, data, dlen, out, &n) != NULL ? 0 : -1;
}

int sl_kscram_final(sl_kscram *s, const void *server_first, size_t len, sl_buf *out, char *err,
                    size_t errlen)
{
    const char *msg = server_first;
    const char *v;
    size_t vlen;
    const EVP_MD *md = scram_md(s->mech);
    if (md == NULL) {
        snprintf(err, errlen, "SCRAM: not started");
        return -1;
    }
    if (scram_attr(msg, len, 'e', &v, &vlen)) {
        snprintf(err, errlen, "SCRAM: the server answered error '%.*s'", (int)vlen, v);
        return -1;
    }
    if (len >= 2 && msg[0] == 'm' && msg[1] == '=') {
        snprintf(err, errlen, "SCRAM: the server asked for an unsupported extension");
        return -1;
    }
    const char *rn, *salt64, *iters;
    size_t rnlen, saltlen, iterslen;
    if (!scram_attr(msg, len, 'r', &rn, &rnlen) || !scram_attr(msg, len, 's', &salt64, &saltlen) ||
        !scram_attr(msg, len, 'i', &iters, &iterslen)) {
        snprintf(err, errlen, "SCRAM: malformed server-first-message");
        return -1;
    }
    size_t cn = strlen(s->nonce);
    if (rnlen <= cn || memcmp(rn, s->nonce, cn) != 0) {
        snprintf(err, errlen, "SCRAM: the server nonce does not extend the client nonce");
        return -1;
    }
    char ibuf[16];
    if (iterslen == 0 || iterslen >= sizeof ibuf) {
        snprintf(err, errlen, "SCRAM: bad iteration count");
        return -1;
    }
    memcpy(ibuf, iters, iterslen);
    ibuf[iterslen] = '\0';
    char *end;
    long it = strtol(ibuf, &end, 10);
    if (*end != '\0' || it < SCRAM_MIN_ITERATIONS || it > 1000000) {
        snprintf(err, errlen, "SCRAM: iteration count %s out of range (%d..1000000)", ibuf,
                 SCRAM_MIN_ITERATIONS);
        return -1;
    }
    sl_buf salt = SL_BUF_INIT;
    if (sl_ksec_b64_decode(salt64, saltlen, &salt) != 0 || salt.len == 0) {
        sl_buf_free(&salt);
        snprintf(err, errlen, "SCRAM: bad salt");
        return -1;
    }
    unsigned char salted[64], ckey[64], skey[64], stored[64], csig[64], proof[64];
    size_t dl = s->digest_len;
    int rc =
        PKCS5_PBKDF2_HMAC(s->password, (int)strlen(s->password), (const unsigned char *)salt.data,
                          (int)salt.len, (int)it, md, (int)dl, salted);
    sl_buf_free(&salt);
    if (rc != 1) {
        snprintf(err, errlen, "SCRAM: PBKDF2 failed");
        return -1;
    }
    sl_buf auth = SL_BUF_INIT;
    sl_buf_append(&auth, s->client_first_bare.data, s->client_first_bare.len);
    sl_buf_putc(&auth, ',');
    sl_buf_append(&auth, msg, len);
    sl_buf_putc(&auth, ',');
    size_t without_proof_at = auth.len;
    sl_buf_puts(&auth, "c=biws,r=");
    sl_buf_append(&auth, rn, rnlen);
    unsigned int n = 0;
    rc = hmac(md, salted, dl, "Client Key", 10, ckey);
    rc |= EVP_Digest(ckey, dl, stored, &n, md, NULL) == 1 ? 0 : -1;
    rc |= hmac(md, stored, dl, auth.data, auth.len, csig);
    rc |= hmac(md, salted, dl, "Server Key", 10, skey);
    rc |= hmac(md, skey, dl, auth.data, auth.len, s->server_signature);
    for (size_t i = 0; i < dl; i++) {
        proof[i] = ckey[i] ^ csig[i];
    }
    sl_buf_reset(out);
    sl_buf_append(out, auth.data + without_proof_at, auth.len - without_proof_at);
    sl_buf_puts(out, ",p=");
    sl_ksec_b64_encode(proof, dl, out);
    sl_buf_free(&auth);
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(ckey, sizeof ckey);
    OPENSSL_cleanse(skey, sizeof skey);
    OPENSSL_cleanse(stored, sizeof stored);
    if (rc != 0) {
        snprintf(err, errlen, "SCRAM: HMAC failed");
        return -1;
    }
    return 0;
}

int sl_kscram_verify(sl_kscram *s, const void *server_final, size_t len, char *err, size_t errlen)
{
    const char *msg = server_final;
    const char *v;
    size_t vlen;
    if (scram_attr(msg, len, 'e', &v, &vlen)) {
        snprintf(err, errlen, "SCRAM: the server answered error '%.*s'", (int)vlen, v);
        return -1;
    }
    if (!scram_attr(msg, len, 'v', &v, &vlen)) {
        snprintf(err, errlen, "SCRAM: malformed server-final-message");
        return -1;
    }
    sl_buf sig = SL_BUF_INIT;
    int ok = sl_ksec_b64_decode(v, vlen, &sig) == 0 && sig.len == s->digest_len &&
             CRYPTO_memcmp(sig.data, s->server_signature, s->digest_len) == 0;
    sl_buf_free(&sig);
    if (!ok) {
        snprintf(err, errlen, "SCRAM: the server signature does not verify (not the real server?)");
        return -1;
    }
    return 0;
}
