/*
 * kconn.c — a broker connection for the group client (kconn.h): non-blocking socket driven by
 * poll() with deadlines, OpenSSL TLS, ApiVersions, SaslHandshake v1 + SaslAuthenticate.
 * Never logs credentials or SASL payloads.
 */
#include "kconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/log.h"
#include "util/mem.h"

#define MAX_RESPONSE (64 * 1024 * 1024)

struct sl_ktls {
    SSL_CTX *ctx;
    char *key_password;
};

struct sl_kconn {
    int fd;
    SSL *ssl;
    char peer[300];
    char host[256];
    int32_t corr;
    sl_kapi_versions broker;
    const char *client_id;
    int wake_fd;
    const atomic_bool *stop;
};

int64_t sl_kconn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ssl_errstr(char *out, size_t outlen)
{
    unsigned long e = ERR_get_error();
    if (e == 0) {
        snprintf(out, outlen, "unknown OpenSSL error");
    } else {
        ERR_error_string_n(e, out, outlen);
    }
    ERR_clear_error();
}

/* ------------------------------------------------------------- TLS context */

static int pw_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *pw = u;
    if (pw == NULL || size <= 0) {
        return 0;
    }
    size_t n = strlen(pw);
    if (n > (size_t)size) {
        n = (size_t)size;
    }
    memcpy(buf, pw, n);
    return (int)n;
}

void sl_ktls_free(sl_ktls *t)
{
    if (t == NULL) {
        return;
    }
    SSL_CTX_free(t->ctx);
    if (t->key_password != NULL) {
        OPENSSL_cleanse(t->key_password, strlen(t->key_password));
        free(t->key_password);
    }
    free(t);
}

sl_ktls *sl_ktls_new(const sl_ksec_conf *sec, char *err, size_t errlen)
{
    char why[256];
    sl_ktls *t = sl_xcalloc(1, sizeof *t);
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (t->ctx == NULL) {
        ssl_errstr(why, sizeof why);
        snprintf(err, errlen, "security.protocol: cannot create a TLS context: %s", why);
        goto fail;
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    if (sec->ca_file != NULL) {
        if (SSL_CTX_load_verify_locations(t->ctx, sec->ca_file, NULL) != 1) {
            ssl_errstr(why, sizeof why);
            snprintf(err, errlen, "ssl.ca.location: cannot load CA certificates from %s: %s",
                     sec->ca_file, why);
            goto fail;
        }
    } else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
        ssl_errstr(why, sizeof why);
        snprintf(err, errlen, "ssl.ca.location: no CA file set and the system store failed: %s",
                 why);
        goto fail;
    }
    if (sec->cert_file != NULL) {
        if (SSL_CTX_use_certificate_chain_file(t->ctx, sec->cert_file) != 1) {
            ssl_errstr(why, sizeof why);
            snprintf(err, errlen, "ssl.certificate.location: cannot load %s: %s", sec->cert_file,
                     why);
            goto fail;
        }
        if (sec->key_password != NULL) {
            t->key_password = sl_xstrdup(sec->key_password);
        }
        SSL_CTX_set_default_passwd_cb(t->ctx, pw_cb);
        SSL_CTX_set_default_passwd_cb_userdata(t->ctx, t->key_password);
        if (SSL_CTX_use_PrivateKey_file(t->ctx, sec->key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(t->ctx) != 1) {
            ssl_errstr(why, sizeof why);
            snprintf(err, errlen,
                     "ssl.key.location: cannot load the private key %s (wrong ssl.key.password or "
                     "not matching the certificate?): %s",
                     sec->key_file, why);
            goto fail;
        }
    }
    return t;
fail:
    sl_ktls_free(t);
    return NULL;
}

/* ------------------------------------------------------------- waiting */

/* 1 ready, 0 deadline passed, SL_KCONN_ESTOP, SL_KCONN_EIO. */
static int wait_fd(sl_kconn *c, short events, int64_t deadline)
{
    /* The wake fd also signals rejoin requests: once seen readable without the stop flag, leave
     * it out (the owner drains it) and rely on the periodic stop check. */
    bool use_wake = c->wake_fd >= 0 && c->stop != NULL;
    for (;;) {
        if (c->stop != NULL && atomic_load(c->stop)) {
            return SL_KCONN_ESTOP;
        }
        int64_t left = deadline - sl_kconn_now_ms();
        if (left <= 0) {
            return 0;
        }
        struct pollfd p[2] = {{c->fd, events, 0}, {c->wake_fd, POLLIN, 0}};
        int n = poll(p, use_wake ? 2 : 1, (int)(left > 200 ? 200 : left));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return SL_KCONN_EIO;
        }
        if (p[0].revents != 0) {
            return 1;
        }
        if (use_wake && p[1].revents != 0 && !atomic_load(c->stop)) {
            use_wake = false;
        }
    }
}

/* Runs one SSL_* step; maps WANT_READ/WANT_WRITE to waits. Returns >0 bytes/success, or a result
 * code (0 never). */
static int ssl_step(sl_kconn *c, int r, int64_t deadline, const char *what, char *err,
                    size_t errlen)
{
    int e = SSL_get_error(c->ssl, r);
    int w;
    if (e == SSL_ERROR_WANT_READ) {
        w = wait_fd(c, POLLIN, deadline);
    } else if (e == SSL_ERROR_WANT_WRITE) {
        w = wait_fd(c, POLLOUT, deadline);
    } else {
        char why[256];
        if (e == SSL_ERROR_ZERO_RETURN) {
            snprintf(why, sizeof why, "connection closed");
        } else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
            snprintf(why, sizeof why, "%s", errno ? strerror(errno) : "connection closed");
        } else {
            ssl_errstr(why, sizeof why);
        }
        snprintf(err, errlen, "%s: TLS %s failed: %s", c->peer, what, why);
        return SL_KCONN_EIO;
    }
    if (w == 0) {
        snprintf(err, errlen, "%s: timed out during TLS %s", c->peer, what);
        return SL_KCONN_ETIMEOUT;
    }
    if (w < 0) {
        snprintf(err, errlen, "%s: %s", c->peer, w == SL_KCONN_ESTOP ? "stopped" : "poll failed");
        return w;
    }
    return 1; /* retry the step */
}

static int write_all(sl_kconn *c, const void *p, size_t n, int64_t deadline, char *err,
                     size_t errlen)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w;
        if (c->ssl != NULL) {
            ERR_clear_error();
            int r = SSL_write(c->ssl, s, (int)(n > INT32_MAX ? INT32_MAX : n));
            if (r <= 0) {
                int rc = ssl_step(c, r, deadline, "write", err, errlen);
                if (rc < 0) {
                    return rc;
                }
                continue;
            }
            w = r;
        } else {
            w = send(c->fd, s, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    snprintf(err, errlen, "%s: send failed: %s", c->peer, strerror(errno));
                    return SL_KCONN_EIO;
                }
                int rc = wait_fd(c, POLLOUT, deadline);
                if (rc <= 0) {
                    snprintf(err, errlen, "%s: %s", c->peer,
                             rc == 0                ? "timed out sending a request"
                             : rc == SL_KCONN_ESTOP ? "stopped"
                                                    : "poll failed");
                    return rc == 0 ? SL_KCONN_ETIMEOUT : rc;
                }
                continue;
            }
        }
        s += w;
        n -= (size_t)w;
    }
    return SL_KCONN_OK;
}

static int read_full(sl_kconn *c, void *p, size_t n, int64_t deadline, char *err, size_t errlen)
{
    char *s = p;
    while (n > 0) {
        ssize_t r;
        if (c->ssl != NULL) {
            ERR_clear_error();
            int x = SSL_read(c->ssl, s, (int)(n > INT32_MAX ? INT32_MAX : n));
            if (x <= 0) {
                int rc = ssl_step(c, x, deadline, "read", err, errlen);
                if (rc < 0) {
                    return rc;
                }
                continue;
            }
            r = x;
        } else {
            r = recv(c->fd, s, n, 0);
            if (r == 0) {
                snprintf(err, errlen, "%s: connection closed by the broker", c->peer);
                return SL_KCONN_EIO;
            }
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    snprintf(err, errlen, "%s: recv failed: %s", c->peer, strerror(errno));
                    return SL_KCONN_EIO;
                }
                int rc = wait_fd(c, POLLIN, deadline);
                if (rc <= 0) {
                    snprintf(err, errlen, "%s: %s", c->peer,
                             rc == 0                ? "timed out waiting for a response"
                             : rc == SL_KCONN_ESTOP ? "stopped"
                                                    : "poll failed");
                    return rc == 0 ? SL_KCONN_ETIMEOUT : rc;
                }
                continue;
            }
        }
        s += r;
        n -= (size_t)r;
    }
    return SL_KCONN_OK;
}

/* ------------------------------------------------------------- calls */

int32_t sl_kconn_next_corr(sl_kconn *c)
{
    c->corr = c->corr == INT32_MAX ? 1 : c->corr + 1;
    return c->corr;
}

int16_t sl_kconn_version(const sl_kconn *c, int16_t api)
{
    return sl_kmsg_pick_version(&c->broker, api);
}

void sl_kconn_ignore_stop(sl_kconn *c)
{
    c->stop = NULL;
    c->wake_fd = -1;
}

const char *sl_kconn_peer(const sl_kconn *c)
{
    return c->peer;
}

int sl_kconn_call(sl_kconn *c, const sl_buf *req, int32_t corr, int16_t api, int16_t ver,
                  int timeout_ms, sl_buf *resp, sl_kw_reader *body, char *err, size_t errlen)
{
    int64_t deadline = sl_kconn_now_ms() + timeout_ms;
    int rc = write_all(c, req->data, req->len, deadline, err, errlen);
    if (rc != SL_KCONN_OK) {
        return rc;
    }
    unsigned char sz[4];
    rc = read_full(c, sz, 4, deadline, err, errlen);
    if (rc != SL_KCONN_OK) {
        return rc;
    }
    uint32_t n = ((uint32_t)sz[0] << 24) | ((uint32_t)sz[1] << 16) | ((uint32_t)sz[2] << 8) | sz[3];
    if (n < 4 || n > MAX_RESPONSE) {
        snprintf(err, errlen, "%s: bad response size %u", c->peer, n);
        return SL_KCONN_EIO;
    }
    sl_buf_reset(resp);
    sl_buf_reserve(resp, n + 1);
    rc = read_full(c, resp->data, n, deadline, err, errlen);
    if (rc != SL_KCONN_OK) {
        return rc;
    }
    resp->len = n;
    resp->data[n] = '\0';
    sl_kw_reader_init(body, resp->data, resp->len);
    int32_t got = sl_kw_get_resp_header(body, sl_kmsg_flexible_resp_header(api, ver));
    if (!sl_kw_ok(body) || got != corr) {
        snprintf(err, errlen, "%s: response correlation id %d, expected %d (api %d v%d)", c->peer,
                 got, corr, api, ver);
        return SL_KCONN_EIO;
    }
    return SL_KCONN_OK;
}

/* ------------------------------------------------------------- opening */

static int tcp_connect(sl_kconn *c, const char *host, int port, int64_t deadline, char *err,
                       size_t errlen)
{
    char ports[16];
    snprintf(ports, sizeof ports, "%d", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(host, ports, &hints, &res);
    if (g != 0) {
        snprintf(err, errlen, "%s: cannot resolve: %s", c->peer, gai_strerror(g));
        return SL_KCONN_EIO;
    }
    int rc = SL_KCONN_EIO;
    snprintf(err, errlen, "%s: no address", c->peer);
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        int fd =
            socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            continue;
        }
        c->fd = fd;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            snprintf(err, errlen, "%s: connect failed: %s", c->peer, strerror(errno));
            close(fd);
            c->fd = -1;
            continue;
        }
        int w = wait_fd(c, POLLOUT, deadline);
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (w == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            rc = SL_KCONN_OK;
            break;
        }
        if (w == SL_KCONN_ESTOP) {
            snprintf(err, errlen, "%s: stopped", c->peer);
            rc = SL_KCONN_ESTOP;
        } else if (w == 0) {
            snprintf(err, errlen, "%s: connect timed out", c->peer);
            rc = SL_KCONN_ETIMEOUT;
        } else {
            snprintf(err, errlen, "%s: connect failed: %s", c->peer,
                     strerror(soerr ? soerr : errno));
        }
        close(fd);
        c->fd = -1;
        if (rc == SL_KCONN_ESTOP) {
            break;
        }
    }
    freeaddrinfo(res);
    return rc;
}

static int tls_handshake(sl_kconn *c, const sl_kconn_opts *o, int64_t deadline, char *err,
                         size_t errlen)
{
    c->ssl = SSL_new(o->tls->ctx);
    if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
        snprintf(err, errlen, "%s: cannot create a TLS session", c->peer);
        return SL_KCONN_EIO;
    }
    unsigned char addr[16];
    bool is_ip = inet_pton(AF_INET, c->host, addr) == 1 || inet_pton(AF_INET6, c->host, addr) == 1;
    if (!is_ip) {
        SSL_set_tlsext_host_name(c->ssl, c->host);
    }
    if (o->sec->verify_peer) {
        SSL_set_verify(c->ssl, SSL_VERIFY_PEER, NULL);
        if (o->sec->verify_hostname) {
            X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
            int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, c->host)
                           : X509_VERIFY_PARAM_set1_host(vp, c->host, 0);
            if (ok != 1) {
                snprintf(err, errlen, "%s: cannot set up hostname verification", c->peer);
                return SL_KCONN_EIO;
            }
        }
    } else {
        SSL_set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
    }
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(c->ssl);
        if (r == 1) {
            return SL_KCONN_OK;
        }
        long vr = SSL_get_verify_result(c->ssl);
        if (vr != X509_V_OK) {
            snprintf(err, errlen,
                     "%s: TLS certificate verification failed: %s (check ssl.ca.location / "
                     "ssl.truststore.location and ssl.endpoint.identification.algorithm)",
                     c->peer, X509_verify_cert_error_string(vr));
            return SL_KCONN_EFATAL;
        }
        int rc = ssl_step(c, r, deadline, "handshake", err, errlen);
        if (rc < 0) {
            return rc;
        }
    }
}

static int api_versions(sl_kconn *c, int64_t deadline, char *err, size_t errlen)
{
    sl_buf req = SL_BUF_INIT, resp = SL_BUF_INIT;
    int16_t ver = 3;
    int rc = SL_KCONN_EIO;
    for (int attempt = 0; attempt < 3; attempt++) {
        int32_t corr = sl_kconn_next_corr(c);
        sl_kmsg_api_versions_req(&req, ver, corr, c->client_id);
        sl_kw_reader body;
        int left = (int)(deadline - sl_kconn_now_ms());
        rc = sl_kconn_call(c, &req, corr, SL_KAPI_API_VERSIONS, ver, left > 0 ? left : 1, &resp,
                           &body, err, errlen);
        if (rc != SL_KCONN_OK) {
            break;
        }
        int16_t kerr = 0;
        if (sl_kmsg_api_versions_resp(body.p + body.off, sl_kw_remaining(&body), ver, &c->broker,
                                      &kerr) != 0) {
            snprintf(err, errlen, "%s: malformed ApiVersions v%d response", c->peer, ver);
            rc = SL_KCONN_EIO;
            break;
        }
        if (kerr == SL_KERR_UNSUPPORTED_VERSION && ver > 0) {
            int16_t bmax = c->broker.max[SL_KAPI_API_VERSIONS];
            ver = bmax >= 0 && bmax < ver ? bmax : 0;
            rc = SL_KCONN_EIO;
            continue;
        }
        if (kerr != 0) {
            snprintf(err, errlen, "%s: ApiVersions failed: %s (%d)", c->peer, sl_kw_err_name(kerr),
                     kerr);
            rc = SL_KCONN_EIO;
            break;
        }
        rc = SL_KCONN_OK;
        break;
    }
    sl_buf_free(&req);
    sl_buf_free(&resp);
    return rc;
}

/* One SaslAuthenticate round: sends auth, returns the server's bytes in out. */
static int sasl_round(sl_kconn *c, int16_t ver, const sl_buf *auth, int64_t deadline, sl_buf *out,
                      char *err, size_t errlen)
{
    sl_buf req = SL_BUF_INIT, resp = SL_BUF_INIT;
    int32_t corr = sl_kconn_next_corr(c);
    sl_kmsg_sasl_authenticate_req(&req, ver, corr, c->client_id, auth->data, auth->len);
    sl_kw_reader body;
    int left = (int)(deadline - sl_kconn_now_ms());
    int rc = sl_kconn_call(c, &req, corr, SL_KAPI_SASL_AUTHENTICATE, ver, left > 0 ? left : 1,
                           &resp, &body, err, errlen);
    OPENSSL_cleanse(req.data, req.len);
    sl_buf_free(&req);
    if (rc == SL_KCONN_OK) {
        sl_kmsg_sasl_auth_resp r;
        if (sl_kmsg_sasl_authenticate_resp(body.p + body.off, sl_kw_remaining(&body), ver, &r) !=
            0) {
            snprintf(err, errlen, "%s: malformed SaslAuthenticate response", c->peer);
            rc = SL_KCONN_EIO;
        } else if (r.err != 0) {
            snprintf(err, errlen, "%s: SASL authentication failed: %s%s%s", c->peer,
                     sl_kw_err_name(r.err), r.err_msg[0] ? ": " : "", r.err_msg);
            rc = SL_KCONN_EFATAL;
        } else {
            sl_buf_reset(out);
            sl_buf_append(out, r.auth.ptr ? r.auth.ptr : "", r.auth.len);
        }
    }
    sl_buf_free(&resp);
    return rc;
}

static int sasl_handshake(sl_kconn *c, const sl_ksec_conf *sec, int64_t deadline, char *err,
                          size_t errlen)
{
    const char *mech = sl_ksasl_mech_name(sec->mech);
    if (sl_kconn_version(c, SL_KAPI_SASL_HANDSHAKE) < 1 ||
        sl_kconn_version(c, SL_KAPI_SASL_AUTHENTICATE) < 0) {
        snprintf(err, errlen, "%s: the broker does not offer SaslHandshake v1/SaslAuthenticate",
                 c->peer);
        return SL_KCONN_EFATAL;
    }
    sl_buf req = SL_BUF_INIT, resp = SL_BUF_INIT;
    int32_t corr = sl_kconn_next_corr(c);
    sl_kmsg_sasl_handshake_req(&req, 1, corr, c->client_id, mech);
    sl_kw_reader body;
    int left = (int)(deadline - sl_kconn_now_ms());
    int rc = sl_kconn_call(c, &req, corr, SL_KAPI_SASL_HANDSHAKE, 1, left > 0 ? left : 1, &resp,
                           &body, err, errlen);
    if (rc == SL_KCONN_OK) {
        int16_t kerr = 0;
        char mechs[256];
        if (sl_kmsg_sasl_handshake_resp(body.p + body.off, sl_kw_remaining(&body), 1, &kerr, mechs,
                                        sizeof mechs) != 0) {
            snprintf(err, errlen, "%s: malformed SaslHandshake response", c->peer);
            rc = SL_KCONN_EIO;
        } else if (kerr != 0) {
            snprintf(err, errlen,
                     "%s: SASL mechanism %s refused: %s (the broker enables: %s; see "
                     "sasl.mechanism)",
                     c->peer, mech, sl_kw_err_name(kerr), mechs[0] ? mechs : "none");
            rc = SL_KCONN_EFATAL;
        }
    }
    sl_buf_free(&req);
    sl_buf_free(&resp);
    return rc;
}

static int sasl_authenticate(sl_kconn *c, const sl_ksec_conf *sec, int64_t deadline, char *err,
                             size_t errlen)
{
    int rc = sasl_handshake(c, sec, deadline, err, errlen);
    if (rc != SL_KCONN_OK) {
        return rc;
    }
    int16_t ver = sl_kconn_version(c, SL_KAPI_SASL_AUTHENTICATE);
    sl_buf msg = SL_BUF_INIT, in = SL_BUF_INIT;
    if (sec->mech == SL_KSASL_PLAIN) {
        sl_ksasl_plain_message(sec->username, sec->password, &msg);
        rc = sasl_round(c, ver, &msg, deadline, &in, err, errlen);
        OPENSSL_cleanse(msg.data, msg.len);
    } else {
        sl_kscram s;
        rc = sl_kscram_first(&s, sec->mech, sec->username, sec->password, NULL, &msg) == 0
                 ? SL_KCONN_OK
                 : SL_KCONN_EFATAL;
        if (rc != SL_KCONN_OK) {
            snprintf(err, errlen, "%s: cannot start SCRAM", c->peer);
        }
        if (rc == SL_KCONN_OK) {
            rc = sasl_round(c, ver, &msg, deadline, &in, err, errlen);
        }
        if (rc == SL_KCONN_OK && sl_kscram_final(&s, in.data, in.len, &msg, err, errlen) != 0) {
            rc = SL_KCONN_EFATAL;
        }
        if (rc == SL_KCONN_OK) {
            rc = sasl_round(c, ver, &msg, deadline, &in, err, errlen);
        }
        if (rc == SL_KCONN_OK && sl_kscram_verify(&s, in.data, in.len, err, errlen) != 0) {
            rc = SL_KCONN_EFATAL;
        }
        sl_kscram_clear(&s);
        if (msg.data != NULL) {
            OPENSSL_cleanse(msg.data, msg.len);
        }
    }
    sl_buf_free(&msg);
    sl_buf_free(&in);
    return rc;
}

void sl_kconn_close(sl_kconn *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ssl != NULL) {
        SSL_free(c->ssl);
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
}

sl_kconn *sl_kconn_open(const char *host, int port, const sl_kconn_opts *o, int *rc, char *err,
                        size_t errlen)
{
    sl_kconn *c = sl_xcalloc(1, sizeof *c);
    c->fd = -1;
    c->client_id = o->client_id;
    c->wake_fd = o->wake_fd;
    c->stop = o->stop;
    snprintf(c->host, sizeof c->host, "%s", host);
    snprintf(c->peer, sizeof c->peer, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    sl_kmsg_versions_clear(&c->broker);
    int64_t deadline = sl_kconn_now_ms() + o->timeout_ms;
    *rc = tcp_connect(c, host, port, deadline, err, errlen);
    if (*rc == SL_KCONN_OK && o->sec->ssl) {
        *rc = tls_handshake(c, o, deadline, err, errlen);
    }
    if (*rc == SL_KCONN_OK) {
        *rc = api_versions(c, deadline, err, errlen);
    }
    if (*rc == SL_KCONN_OK && o->sec->sasl) {
        *rc = sasl_authenticate(c, o->sec, deadline, err, errlen);
    }
    if (*rc != SL_KCONN_OK) {
        sl_kconn_close(c);
        return NULL;
    }
    sl_debug("group: connected to %s%s%s", c->peer, o->sec->ssl ? " (TLS)" : "",
             o->sec->sasl ? " (SASL)" : "");
    return c;
}
