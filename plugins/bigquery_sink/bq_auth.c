/*
 * bq_auth.c — Google service-account auth for bigquery_sink.so: parse the key JSON, build an
 * RS256 JWT (header.claims signed with OpenSSL EVP, base64url), exchange it for an access token
 * at the configured token URL (bigquery.token.url; the key file's token_uri is never used, so a
 * key file cannot redirect the assertion anywhere), cache the token and refresh it before it
 * expires. The private key is held only as an EVP_PKEY and never printed; error messages never
 * quote the key file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bq.h"

#define H sluice_host

#define BQ_SCOPE "https://www.googleapis.com/auth/bigquery"

struct bq_auth {
    bool enabled;
    EVP_PKEY *key;
    char *client_email;
    char *key_id;
    char *token_url;
    char *token; /* cached access token */
    int64_t expires_at_ms;
    int64_t refresh_at_ms;
    int64_t fetched;
};

static char *dup_str(const char *s)
{
    return s != NULL ? H->strdup(s) : NULL;
}

bq_auth *bq_auth_new(const char *key_json, const char *token_url, bool no_auth, char *err,
                     size_t errlen)
{
    bq_auth *a = H->calloc(1, sizeof(*a));
    a->token_url = dup_str(token_url);
    if (no_auth) {
        return a;
    }
    a->enabled = true;
    json_error_t je;
    json_t *root = key_json != NULL ? json_loads(key_json, 0, &je) : NULL;
    if (root == NULL || !json_is_object(root)) {
        /* never quote the text: it is a secret */
        if (root == NULL && key_json != NULL) {
            snprintf(err, errlen,
                     "the service-account key is not valid JSON (syntax error at line %d)",
                     je.line);
        } else {
            snprintf(err, errlen, "the service-account key is not a JSON object");
        }
        json_decref(root);
        bq_auth_free(a);
        return NULL;
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    const char *pem = json_string_value(json_object_get(root, "private_key"));
    const char *email = json_string_value(json_object_get(root, "client_email"));
    const char *kid = json_string_value(json_object_get(root, "private_key_id"));
    if (type != NULL && strcmp(type, "service_account") != 0) {
        snprintf(err, errlen,
                 "the key is of type \"%.40s\"; only \"service_account\" keys are supported", type);
    } else if (pem == NULL || email == NULL) {
        snprintf(err, errlen, "the service-account key has no %s",
                 pem == NULL ? "private_key" : "client_email");
    } else {
        BIO *bio = BIO_new_mem_buf(pem, -1);
        a->key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        if (a->key == NULL || EVP_PKEY_base_id(a->key) != EVP_PKEY_RSA) {
            snprintf(err, errlen, "the service-account private_key is not an RSA PEM key");
        } else {
            a->client_email = dup_str(email);
            a->key_id = dup_str(kid);
        }
    }
    json_decref(root);
    if (a->client_email == NULL) {
        bq_auth_free(a);
        return NULL;
    }
    return a;
}

void bq_auth_free(bq_auth *a)
{
    if (a == NULL) {
        return;
    }
    EVP_PKEY_free(a->key);
    H->free(a->client_email);
    H->free(a->key_id);
    H->free(a->token_url);
    H->free(a->token);
    H->free(a);
}

bool bq_auth_enabled(const bq_auth *a)
{
    return a != NULL && a->enabled;
}

const char *bq_auth_client_email(const bq_auth *a)
{
    return a->client_email;
}

int64_t bq_auth_tokens_fetched(const bq_auth *a)
{
    return a->fetched;
}

char *bq_auth_jwt(bq_auth *a, int64_t now, char *err, size_t errlen)
{
    sluice_buf *hdr = H->buf_new(), *claims = H->buf_new(), *out = H->buf_new();
    char *res = NULL;
    H->buf_append(hdr, "{\"alg\":\"RS256\",\"typ\":\"JWT\"", 26);
    if (a->key_id != NULL) {
        H->buf_append(hdr, ",\"kid\":", 7);
        bq_json_string(hdr, a->key_id, strlen(a->key_id));
    }
    H->buf_append(hdr, "}", 1);
    H->buf_append(claims, "{\"iss\":", 7);
    bq_json_string(claims, a->client_email, strlen(a->client_email));
    H->buf_append(claims, ",\"scope\":\"" BQ_SCOPE "\",\"aud\":",
                  strlen(",\"scope\":\"" BQ_SCOPE "\",\"aud\":"));
    bq_json_string(claims, a->token_url, strlen(a->token_url));
    H->buf_printf(claims, ",\"iat\":%lld,\"exp\":%lld}", (long long)now, (long long)(now + 3600));
    bq_base64url(out, H->buf_data(hdr), H->buf_len(hdr));
    H->buf_append(out, ".", 1);
    bq_base64url(out, H->buf_data(claims), H->buf_len(claims));

    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t siglen = 0;
    unsigned char *sig = NULL;
    if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, a->key) != 1 ||
        EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)H->buf_data(out),
                       H->buf_len(out)) != 1) {
        snprintf(err, errlen, "could not sign the token request (OpenSSL)");
    } else {
        sig = H->alloc(siglen);
        if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)H->buf_data(out),
                           H->buf_len(out)) != 1) {
            snprintf(err, errlen, "could not sign the token request (OpenSSL)");
        } else {
            H->buf_append(out, ".", 1);
            bq_base64url(out, sig, siglen);
            res = H->strdup(H->buf_data(out));
        }
    }
    EVP_MD_CTX_free(md);
    H->free(sig);
    H->buf_free(hdr);
    H->buf_free(claims);
    H->buf_free(out);
    return res;
}

void bq_auth_invalidate(bq_auth *a)
{
    if (a != NULL) {
        a->refresh_at_ms = 0;
        a->expires_at_ms = 0;
    }
}

const char *bq_auth_token(bq_auth *a, bool force, int *retriable, char *err, size_t errlen)
{
    *retriable = 0;
    if (!a->enabled) {
        return NULL;
    }
    int64_t now = H->now_ms();
    if (!force && a->token != NULL && now < a->refresh_at_ms) {
        return a->token;
    }
    char jerr[200] = "";
    char *jwt = bq_auth_jwt(a, now / 1000, jerr, sizeof(jerr));
    if (jwt == NULL) {
        snprintf(err, errlen, "%s", jerr);
        return NULL;
    }
    sluice_buf *form = H->buf_new(), *body = H->buf_new();
    H->buf_printf(form,
                  "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Ajwt-bearer&"
                  "assertion=%s",
                  jwt); /* base64url and '.' need no escaping */
    H->free(jwt);
    long status = 0;
    char terr[256] = "";
    const char *result = NULL;
    if (bq_http_form_post(a->token_url, H->buf_data(form), body, &status, terr, sizeof(terr)) !=
        0) {
        snprintf(err, errlen, "token request to %s failed: %s", a->token_url, terr);
        *retriable = 1;
    } else {
        json_t *root = json_loads(H->buf_data(body), 0, NULL);
        const char *tok = json_string_value(json_object_get(root, "access_token"));
        json_int_t ttl = json_integer_value(json_object_get(root, "expires_in"));
        if (status == 200 && tok != NULL) {
            if (ttl <= 0) {
                ttl = 3600;
            }
            H->free(a->token);
            a->token = H->strdup(tok);
            a->expires_at_ms = now + (int64_t)ttl * 1000;
            int64_t margin = (int64_t)ttl * 1000 / 4;
            if (margin > 300000) {
                margin = 300000;
            }
            a->refresh_at_ms = a->expires_at_ms - margin;
            a->fetched++;
            result = a->token;
        } else {
            const char *e = json_string_value(json_object_get(root, "error"));
            const char *d = json_string_value(json_object_get(root, "error_description"));
            snprintf(err, errlen, "token endpoint %s answered HTTP %ld%s%.80s%s%.200s",
                     a->token_url, status, e != NULL ? ": " : "", e != NULL ? e : "",
                     d != NULL ? ": " : "", d != NULL ? d : "");
            *retriable = status >= 500 || status == 429 || status == 0;
        }
        json_decref(root);
    }
    H->buf_free(form);
    H->buf_free(body);
    return result;
}
