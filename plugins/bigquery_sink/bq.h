/*
 * bq.h — internals of bigquery_sink.so shared by its source files and its unit tests: the
 * Connect → BigQuery type map and row rendering (bq_types.c), the MERGE/DELETE SQL
 * (bq_sql.c), service-account auth and the OAuth token cache (bq_auth.c) and the REST client
 * with retries (bq_http.c). Nothing here is exported from the .so; everything goes through the
 * host table (`sluice_host`).
 */
#ifndef SL_BQ_H
#define SL_BQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sluice/plugin.h>

/* ---- type map and rendering (bq_types.c) ---- */

/* decimalHandlingMode / variableScaleDecimalHandlingMode */
enum bq_decimal_mode {
    BQ_DEC_AUTO = 0,   /* NUMERIC or BIGNUMERIC by precision/scale, STRING when neither fits */
    BQ_DEC_FLOAT,      /* FLOAT (loses digits; only when asked) */
    BQ_DEC_NUMERIC,    /* NUMERIC always */
    BQ_DEC_BIGNUMERIC, /* BIGNUMERIC always */
    BQ_DEC_STRING,     /* STRING with every digit */
    BQ_DEC_RECORD, /* Decimal: BYTES of the unscaled value; VariableScaleDecimal: {scale,value} */
};

enum bq_type {
    BQ_T_STRING = 1,
    BQ_T_BYTES,
    BQ_T_INTEGER,
    BQ_T_FLOAT,
    BQ_T_NUMERIC,
    BQ_T_BIGNUMERIC,
    BQ_T_BOOLEAN,
    BQ_T_TIMESTAMP,
    BQ_T_DATE,
    BQ_T_TIME,
    BQ_T_DATETIME,
    BQ_T_JSON,
    BQ_T_RECORD,
};

typedef struct bq_type_opts {
    int decimal_mode;            /* enum bq_decimal_mode */
    int vs_decimal_mode;         /* enum bq_decimal_mode */
    bool all_nullable;           /* allBQFieldsNullable */
    bool sanitize_field_names;   /* sanitizeFieldNames */
    bool convert_double_special; /* convertDoubleSpecialValues */
    bool debezium_ts_as_integer; /* convertDebeziumTimestampToInteger */
    const char *placeholder;     /* TOAST placeholder (NULL: Debezium's) */
} bq_type_opts;

/* The BigQuery type of one Connect field schema (value v used when the schema is NULL). */
int bq_type_of(const sluice_schema *s, const sluice_value *v, const bq_type_opts *o,
               bool *repeated);
const char *bq_type_name(int t);

/*
 * Append the BigQuery TableFieldSchema JSON of field `name` with schema s (value v when
 * schemaless) to out: {"name":..,"type":..,"mode":..[,"fields":[..]]}. force_nullable makes it
 * NULLABLE (REPEATED stays REPEATED).
 */
void bq_field_json(sluice_buf *out, const char *name, const sluice_schema *s, const sluice_value *v,
                   const bq_type_opts *o, bool force_nullable);
/* The fields of a struct schema (or a schemaless struct/map value), comma-separated. */
void bq_fields_json(sluice_buf *out, const sluice_schema *s, const sluice_value *v,
                    const bq_type_opts *o, bool force_nullable);

/*
 * Append the insertAll JSON of value v (schema s, may be NULL) to out. Returns 0, or -1 when
 * the value cannot be represented (err says why).
 */
int bq_render_value(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                    const bq_type_opts *o, char *err, size_t errlen);
/* Append the fields of struct/map v as `"name":value` pairs (no braces), skipping nulls. When
 * toast is not NULL, fields holding the TOAST placeholder are skipped and their names appended
 * to toast as a JSON string list (comma-separated, no brackets). */
int bq_render_fields(sluice_buf *out, const sluice_value *v, const sluice_schema *s,
                     const bq_type_opts *o, sluice_buf *toast, char *err, size_t errlen);

void bq_json_string(sluice_buf *out, const char *s, size_t n); /* "..." with escapes */
void bq_base64(sluice_buf *out, const void *p, size_t n);      /* standard, padded */
void bq_base64url(sluice_buf *out, const void *p, size_t n);   /* unpadded */
void bq_put_int(sluice_buf *out, int64_t x);
void bq_put_uint(sluice_buf *out, uint64_t u);

/* A BigQuery identifier from arbitrary text: invalid characters become '_', a leading digit
 * gets a '_' prefix; at most outlen-1 bytes. */
void bq_sanitize(const char *in, size_t n, char *out, size_t outlen);
/* Field name as written (sanitized when asked). */
const char *bq_field_name(const char *name, const bq_type_opts *o, char *tmp, size_t tmplen);

/* ---- SQL (bq_sql.c) ---- */

typedef struct bq_merge_spec {
    const char *project, *dataset, *table, *tmp_table;
    const char *key_field;       /* kafkaKeyFieldName */
    const char *pos_field;       /* destination's applied-position column */
    const char *const *key_cols; /* key sub-fields */
    size_t nkey;
    const char *const *cols; /* value columns */
    size_t ncols;
    int64_t batch;
    bool upsert, del;
} bq_merge_spec;

void bq_merge_sql(sluice_buf *out, const bq_merge_spec *m);
void bq_cleanup_sql(sluice_buf *out, const bq_merge_spec *m);
void bq_ident(sluice_buf *out, const char *name); /* `name` */

/* ---- auth (bq_auth.c) ---- */

typedef struct bq_auth bq_auth;

/* key_json: the service-account JSON text (NULL with no_auth). token_url: where to ask. */
bq_auth *bq_auth_new(const char *key_json, const char *token_url, bool no_auth, char *err,
                     size_t errlen);
void bq_auth_free(bq_auth *a);
/* The JWT assertion for time now (seconds): header.claims.signature (transferred, host free). */
char *bq_auth_jwt(bq_auth *a, int64_t now, char *err, size_t errlen);
const char *bq_auth_client_email(const bq_auth *a);
bool bq_auth_enabled(const bq_auth *a);
/* A valid access token (cached; refreshed before expiry or when force). NULL with err set. */
const char *bq_auth_token(bq_auth *a, bool force, int *retriable, char *err, size_t errlen);
void bq_auth_invalidate(bq_auth *a);
int64_t bq_auth_tokens_fetched(const bq_auth *a);

/* ---- REST (bq_http.c) ---- */

typedef struct bq_http bq_http;

typedef struct bq_resp {
    long status;        /* HTTP status; 0 for a transport error */
    char curl_err[256]; /* transport error text */
    sluice_buf *body;   /* response body (owned by the request) */
    char reason[64];    /* first errors[].reason of the error envelope */
    char message[512];  /* error.message */
} bq_resp;

enum bq_retry_class {
    BQ_OK = 0,
    BQ_RETRIABLE = 1, /* 5xx, quota/rate limits, transport errors, MERGE serialization */
    BQ_AUTH = 2,      /* 401: refresh the token and resend */
    BQ_FATAL = 3,     /* anything else */
};

bq_http *bq_http_new(bq_auth *auth, int max_parallel, long timeout_ms);
void bq_http_free(bq_http *h);

typedef struct bq_req bq_req;
/* One request: method, full URL, JSON body (may be NULL). */
bq_req *bq_req_new(void);
void bq_req_free(bq_req *r);
void bq_req_set(bq_req *r, const char *method, const char *url, const char *body, size_t len);
bq_resp *bq_req_resp(bq_req *r);
void *bq_req_user(bq_req *r);
void bq_req_set_user(bq_req *r, void *user);

/* Run requests concurrently (at most max_parallel at once); returns when all finished. Fills
 * each one's response. Authorization is added from the auth cache. */
void bq_http_run(bq_http *h, bq_req *const *reqs, size_t n);
/* Classify a finished response (parses the error envelope into reason/message). */
int bq_classify(bq_resp *resp, bool is_query);
/* Transport for the token endpoint (form POST, no auth). */
int bq_http_form_post(const char *url, const char *form, sluice_buf *body, long *status, char *err,
                      size_t errlen);

#endif
