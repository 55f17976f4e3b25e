/*
 * assignor.c — the leader's two Connect assignors: eager round-robin (EagerAssignor) and
 * incremental cooperative (IncrementalCooperativeAssignor, KIP-415), decision for decision as
 * Java's (apache/kafka 3.9, connect/runtime/.../distributed/), reference §5.
 *
 * Pure computation: no I/O, no clock (now comes in), no globals. It never reads the config
 * topic; the caller passes the snapshot it has.
 *
 * Where Java's outcome depends on HashMap/HashSet iteration order, which §5 does not define and
 * which is not part of the protocol (only the leader computes assignments, and any Java member
 * accepts any assignment), this file uses sorted order instead:
 *   - workers are visited in member-id order (Java: HashMap order of member ids) when choosing
 *     which overloaded workers keep the "one extra" item and when adding candidate workers;
 *   - a worker's items are visited connectors first, each in (connector, task) order, followed by
 *     the items given to it during the round (Java: the order of the member's own allocation
 *     bytes), so load-balancing revocation takes the first items in that order.
 * Everything else follows Java exactly (read from apache/kafka 1eb7644349cb, the snapshot
 * §0 names), including its quirks, where §5.2 is silent or loose:
 *   - TreeSet order of the derived sets; String.compareTo (UTF-16 order) for every sort;
 *   - distribution sorts the workers once by (load, member id) and then deals in passes to
 *     the workers whose load is <= the first one's, without re-sorting (so with loads 1 and 2
 *     and two new items, the first worker gets both);
 *   - the lost-work state machine, including: a delay is also scheduled when nothing is lost
 *     but the last round revoked and a member is gone; every worker that is empty during the
 *     wait becomes a candidate; load balancing runs only when the delay is 0, so in the round
 *     the delay expires, work just given to a candidate can be revoked from it again (it is
 *     told to revoke what it never ran; it comes back as lost work and is placed next round);
 *   - the backoff counter k only resets after a round that needed no revocation, and the
 *     revoked-last-round flag is cleared by any round with a delay; 40^k is computed in doubles
 *     and truncated (so the cap can come out as max - 1);
 *   - on a generation mismatch only the previous assignment is forgotten, not the previous
 *     revocations; a CONFIG_MISMATCH round changes no state.
 */
#include "dist/assignor.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* ---- Java's String.compareTo on UTF-8 text ------------------------------------------------- */

/* Yields the UTF-16 code units of a UTF-8 string; malformed bytes read as U+FFFD (what Java's
 * decoder produces for them). */
typedef struct u16it {
    const unsigned char *s;
    unsigned pending; /* low surrogate still to yield, or 0 */
} u16it;

static unsigned u16_next(u16it *it)
{
    if (it->pending != 0) {
        unsigned u = it->pending;
        it->pending = 0;
        return u;
    }
    const unsigned char *s = it->s;
    if (s[0] == 0) {
        return 0x110000; /* end */
    }
    unsigned cp, len;
    if (s[0] < 0x80) {
        cp = s[0], len = 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        cp = s[0] & 0x1f, len = 2;
    } else if ((s[0] & 0xf0) == 0xe0) {
        cp = s[0] & 0x0f, len = 3;
    } else if ((s[0] & 0xf8) == 0xf0) {
        cp = s[0] & 0x07, len = 4;
    } else {
        it->s++;
        return 0xfffd;
    }
    for (unsigned i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            it->s += i;
            return 0xfffd;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    it->s += len;
    if (cp >= 0x10000 && cp <= 0x10ffff) {
        cp -= 0x10000;
        it->pending = 0xdc00 | (cp & 0x3ff);
        return 0xd800 | (cp >> 10);
    }
    return cp > 0x10ffff ? 0xfffd : cp;
}

/* Java's a.compareTo(b); byte order breaks ties between different malformed strings. */
static int java_strcmp(const char *a, const char *b)
{
    /* Fast path: UTF-16 order is byte order up to the first difference when that difference is
     * an end of string or between two ASCII bytes (which start a code point in both). */
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p != 0 && *p == *q) {
        p++, q++;
    }
    if (*p == *q) {
        return 0;
    }
    if (*p == 0 || *q == 0 || (*p < 0x80 && *q < 0x80)) {
        return *p < *q ? -1 : 1;
    }
    u16it x = {(const unsigned char *)a, 0}, y = {(const unsigned char *)b, 0};
    for (;;) {
        unsigned p = u16_next(&x), q = u16_next(&y);
        if (p != q) {
            return p < q ? -1 : 1;
        }
        if (p == 0x110000) {
            int c = strcmp(a, b);
            return (c > 0) - (c < 0);
        }
    }
}

static int java_strcmp_qsort(const void *a, const void *b)
{
    return java_strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- small containers ---------------------------------------------------------------------- */

typedef struct ilist {
    uint32_t *v;
    size_t n, cap;
} ilist;

static void il_push(ilist *l, uint32_t x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = sl_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = x;
}

static void il_free(ilist *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* A string list that owns its strings (previous members, candidate workers). */
typedef struct slist {
    char **v;
    size_t n;
} slist;

static bool sl_has(const slist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0) {
            return true;
        }
    }
    return false;
}

static void sl_push(slist *l, const char *s)
{
    l->v = sl_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = sl_xstrdup(s);
}

static void sl_clear(slist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- the assignor's memory ----------------------------------------------------------------- */

struct sl_assignor {
    int32_t max_delay;      /* scheduled.rebalance.max.delay.ms (an int in Java) */
    sl_cp_set previous;     /* previousAssignment */
    sl_cp_set prev_revoked; /* previousRevocation */
    bool revoked_in_previous;
    int32_t successive_revoking; /* numSuccessiveRevokingRebalances */
    slist candidates;            /* candidateWorkersForReassignment, in insertion order */
    int64_t scheduled_rebalance; /* 0: none */
    int32_t delay;
    int32_t previous_generation; /* -1 */
    slist previous_members;
    bool know_last_completed; /* sl_assignor_sync_completed() was called */
    int32_t last_completed;
};

sl_assignor *sl_assignor_new(int64_t max_delay_ms)
{
    sl_assignor *a = sl_xcalloc(1, sizeof *a);
    a->max_delay = max_delay_ms < 0           ? 0
                   : max_delay_ms > INT32_MAX ? INT32_MAX
                                              : (int32_t)max_delay_ms;
    a->previous_generation = -1;
    a->last_completed = -1;
    return a;
}

void sl_assignor_destroy(sl_assignor *a)
{
    if (a == NULL) {
        return;
    }
    sl_cp_set_clear(&a->previous);
    sl_cp_set_clear(&a->prev_revoked);
    sl_clear(&a->candidates);
    sl_clear(&a->previous_members);
    free(a);
}

void sl_assignor_sync_completed(sl_assignor *a, int32_t generation)
{
    a->know_last_completed = true;
    a->last_completed = generation;
}

int64_t sl_assignor_max_offset(const sl_assign_member *members, size_t n)
{
    int64_t max = -1;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (members[i].md != NULL && (!any || members[i].md->config_offset > max)) {
            max = members[i].md->config_offset;
            any = true;
        }
    }
    return max;
}

/* ---- input checks and common output -------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *what, const char *name)
{
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "assignor: %s%s%s%s", what, name ? " '" : "", name ? name : "",
                 name ? "'" : "");
    }
    return -1;
}

static int check_inputs(int protocol, const sl_assign_config *cfg, const sl_assign_member *members,
                        size_t n, char *err, size_t errlen)
{
    if (protocol < SL_CP_EAGER || protocol > SL_CP_SESSIONED) {
        return bad(err, errlen, "unknown protocol version", NULL);
    }
    if (n == 0) {
        return bad(err, errlen, "no members to assign to", NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (members[i].member_id == NULL || members[i].md == NULL) {
            return bad(err, errlen, "a member without an id or metadata", NULL);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(members[i].member_id, members[j].member_id) == 0) {
                return bad(err, errlen, "duplicate member id", members[i].member_id);
            }
        }
    }
    if (cfg->n > 0 && (cfg->connectors == NULL || cfg->task_counts == NULL)) {
        return bad(err, errlen, "config without connector names or task counts", NULL);
    }
    for (size_t i = 0; i < cfg->n; i++) {
        if (cfg->connectors[i] == NULL) {
            return bad(err, errlen, "a configured connector without a name", NULL);
        }
        if (cfg->task_counts[i] < 0) {
            return bad(err, errlen, "negative task count for connector", cfg->connectors[i]);
        }
    }
    /* Duplicate names: sort a copy and compare neighbours. */
    const char **names = sl_xmalloc((cfg->n + 1) * sizeof *names);
    for (size_t i = 0; i < cfg->n; i++) {
        names[i] = cfg->connectors[i];
    }
    qsort(names, cfg->n, sizeof *names, java_strcmp_qsort);
    for (size_t i = 1; i < cfg->n; i++) {
        if (strcmp(names[i], names[i - 1]) == 0) {
            int rc = bad(err, errlen, "connector configured twice", names[i]);
            free(names);
            return rc;
        }
    }
    free(names);
    return 0;
}

static void fill(sl_cp_assignment *o, int protocol, int16_t error, const char *leader_id,
                 const char *leader_url, int64_t offset, int32_t delay)
{
    memset(o, 0, sizeof *o);
    o->version = (int16_t)protocol;
    o->error = error;
    o->leader = sl_xstrdup(leader_id != NULL ? leader_id : "");
    o->leader_url = sl_xstrdup(leader_url != NULL ? leader_url : "");
    o->config_offset = offset;
    o->delay_ms = delay;
}

/* ---- eager (EagerAssignor) ----------------------------------------------------------------- */

typedef struct member_ref {
    const char *id;
    size_t in; /* index in members[] */
} member_ref;

static int member_ref_cmp(const void *a, const void *b)
{
    return java_strcmp(((const member_ref *)a)->id, ((const member_ref *)b)->id);
}

typedef struct conn_ref {
    const char *name;
    int32_t tasks;
} conn_ref;

static int conn_ref_cmp(const void *a, const void *b)
{
    return java_strcmp(((const conn_ref *)a)->name, ((const conn_ref *)b)->name);
}

static member_ref *sorted_members(const sl_assign_member *members, size_t n)
{
    member_ref *m = sl_xmalloc(n * sizeof *m);
    for (size_t i = 0; i < n; i++) {
        m[i].id = members[i].member_id;
        m[i].in = i;
    }
    qsort(m, n, sizeof *m, member_ref_cmp);
    return m;
}

/* Sorted connectors; then every connector and every task, in that order, to the next member of
 * one circular iterator over the sorted member ids (§5.1). */
static void assign_eager(const sl_assign_config *cfg, const sl_assign_member *members, size_t n,
                         sl_cp_assignment *out)
{
    member_ref *m = sorted_members(members, n);
    conn_ref *c = sl_xmalloc((cfg->n + 1) * sizeof *c);
    for (size_t i = 0; i < cfg->n; i++) {
        c[i].name = cfg->connectors[i];
        c[i].tasks = cfg->task_counts[i];
    }
    qsort(c, cfg->n, sizeof *c, conn_ref_cmp);
    size_t it = 0;
    for (size_t i = 0; i < cfg->n; i++) {
        sl_cp_set_add(&out[m[it++ % n].in].assigned, c[i].name, -1);
    }
    for (size_t i = 0; i < cfg->n; i++) {
        for (int32_t t = 0; t < c[i].tasks; t++) {
            sl_cp_set_add(&out[m[it++ % n].in].assigned, c[i].name, t);
        }
    }
    free(c);
    free(m);
}

/* ---- incremental cooperative (IncrementalCooperativeAssignor) ------------------------------ */

/* Every connector instance and task this round talks about, in Java's TreeSet order: all
 * instances by name, then all tasks by (name, id). Sets below are flags or index lists on it. */
typedef struct item {
    const char *conn; /* borrowed from the inputs or the assignor's memory */
    int32_t task;     /* -1: the instance */
} item;

static int item_cmp(const void *a, const void *b)
{
    const item *x = a, *y = b;
    bool xi = x->task < 0, yi = y->task < 0;
    if (xi != yi) {
        return xi ? -1 : 1;
    }
    int c = java_strcmp(x->conn, y->conn);
    if (c != 0) {
        return c;
    }
    return (x->task > y->task) - (x->task < y->task);
}

enum {
    F_CONF = 1,       /* configured */
    F_PREV = 2,       /* previous assignment */
    F_DELETED = 4,    /* previous - configured */
    F_DUP = 8,        /* held by more than one member */
    F_LOST = 16,      /* previous - active - deleted */
    F_CREATED = 32,   /* configured - previous - active */
    F_IN_NEXT = 64,   /* in some worker's next assignment */
    F_REVOKED = 128,  /* revoked from some worker this round */
    F_PREV_REV = 256, /* previousRevocation */
};

typedef struct worker {
    const char *id;
    size_t in;          /* index in members[] and out[] */
    ilist held;         /* what it reported running, ascending */
    ilist conns, tasks; /* its next assignment, in Java's iteration order */
    ilist revoke;       /* toRevoke */
} worker;

typedef struct rnd {
    item *u;
    size_t nu, ninst; /* u[0..ninst) are instances */
    uint16_t *flag;
    uint32_t *holders; /* how many members report the item */
    uint32_t *mark;    /* scratch: per-worker membership stamps */
    worker *w;
    size_t nw;
} rnd;

static bool is_task(const rnd *r, uint32_t i)
{
    return i >= r->ninst;
}

static uint32_t lookup(const rnd *r, const char *conn, int32_t task)
{
    item key = {conn, task};
    item *hit = bsearch(&key, r->u, r->nu, sizeof *r->u, item_cmp);
    return (uint32_t)(hit - r->u); /* every item was put in the universe first */
}

static void gather_set(item **v, size_t *n, size_t *cap, const sl_cp_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const sl_cp_conn *c = &s->conns[i];
        size_t need = *n + c->ntasks + 1;
        if (need > *cap) {
            *cap = need * 2;
            *v = sl_xrealloc(*v, *cap * sizeof **v);
        }
        if (c->instance) {
            (*v)[(*n)++] = (item){c->connector, -1};
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            (*v)[(*n)++] = (item){c->connector, c->tasks[t]};
        }
    }
}

/* Items of a set as ascending universe indices. */
static void set_to_list(const rnd *r, const sl_cp_set *s, ilist *out)
{
    for (size_t i = 0; i < s->n; i++) {
        const sl_cp_conn *c = &s->conns[i];
        if (c->instance) {
            il_push(out, lookup(r, c->connector, -1));
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            il_push(out, lookup(r, c->connector, c->tasks[t]));
        }
    }
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static const sl_cp_set empty_set;

static const sl_cp_set *member_running(const sl_assign_member *m)
{
    return m->md->allocation != NULL ? &m->md->allocation->assigned : &empty_set;
}

static void rnd_build(rnd *r, sl_assignor *a, const sl_assign_config *cfg,
                      const sl_assign_member *members, size_t n)
{
    size_t cap = 64, nv = 0;
    item *v = sl_xmalloc(cap * sizeof *v);
    for (size_t i = 0; i < cfg->n; i++) {
        size_t need = nv + (size_t)cfg->task_counts[i] + 1;
        if (need > cap) {
            cap = need * 2;
            v = sl_xrealloc(v, cap * sizeof *v);
        }
        v[nv++] = (item){cfg->connectors[i], -1};
        for (int32_t t = 0; t < cfg->task_counts[i]; t++) {
            v[nv++] = (item){cfg->connectors[i], t};
        }
    }
    for (size_t i = 0; i < n; i++) {
        gather_set(&v, &nv, &cap, member_running(&members[i]));
    }
    gather_set(&v, &nv, &cap, &a->previous);
    gather_set(&v, &nv, &cap, &a->prev_revoked);
    qsort(v, nv, sizeof *v, item_cmp);
    size_t k = 0;
    for (size_t i = 0; i < nv; i++) {
        if (k == 0 || item_cmp(&v[k - 1], &v[i]) != 0) {
            v[k++] = v[i];
        }
    }
    r->u = v;
    r->nu = k;
    r->ninst = 0;
    while (r->ninst < k && v[r->ninst].task < 0) {
        r->ninst++;
    }
    r->flag = sl_xcalloc(k + 1, sizeof *r->flag);
    r->holders = sl_xcalloc(k + 1, sizeof *r->holders);
    r->mark = sl_xcalloc(k + 1, sizeof *r->mark);

    for (size_t i = 0; i < cfg->n; i++) {
        r->flag[lookup(r, cfg->connectors[i], -1)] |= F_CONF;
        for (int32_t t = 0; t < cfg->task_counts[i]; t++) {
            r->flag[lookup(r, cfg->connectors[i], t)] |= F_CONF;
        }
    }
    ilist tmp = {0};
    set_to_list(r, &a->previous, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        r->flag[tmp.v[i]] |= F_PREV;
    }
    tmp.n = 0;
    set_to_list(r, &a->prev_revoked, &tmp);
    for (size_t i = 0; i < tmp.n; i++) {
        r->flag[tmp.v[i]] |= F_PREV_REV;
    }
    il_free(&tmp);

    member_ref *m = sorted_members(members, n);
    r->nw = n;
    r->w = sl_xcalloc(n, sizeof *r->w);
    for (size_t i = 0; i < n; i++) {
        worker *w = &r->w[i];
        w->id = m[i].id;
        w->in = m[i].in;
        set_to_list(r, member_running(&members[w->in]), &w->held);
        if (w->held.n > 1) {
            qsort(w->held.v, w->held.n, sizeof *w->held.v, u32_cmp);
        }
        for (size_t j = 0; j < w->held.n; j++) {
            r->holders[w->held.v[j]]++;
        }
    }
    free(m);
}

static void rnd_free(rnd *r)
{
    for (size_t i = 0; i < r->nw; i++) {
        il_free(&r->w[i].held);
        il_free(&r->w[i].conns);
        il_free(&r->w[i].tasks);
        il_free(&r->w[i].revoke);
    }
    free(r->w);
    free(r->u);
    free(r->flag);
    free(r->holders);
    free(r->mark);
}

static void reset_delay(sl_assignor *a)
{
    sl_clear(&a->candidates);
    a->scheduled_rebalance = 0;
    a->delay = 0;
}

static worker *find_worker(rnd *r, const char *id)
{
    for (size_t i = 0; i < r->nw; i++) {
        if (strcmp(r->w[i].id, id) == 0) {
            return &r->w[i];
        }
    }
    return NULL;
}

static void give(rnd *r, worker *w, uint32_t item)
{
    il_push(is_task(r, item) ? &w->tasks : &w->conns, item);
}

/* Lost work (§5.2 step 6, Java's handleLostAssignments). Lost items either go to *reassign (to be
 * balanced like new ones), straight to the candidate workers, or stay unassigned for the delay. */
static void handle_lost(sl_assignor *a, rnd *r, int64_t now, ilist *reassign)
{
    ilist lost = {0};
    for (uint32_t i = 0; i < r->nu; i++) {
        if (r->flag[i] & F_LOST) {
            il_push(&lost, i);
        }
    }
    if (lost.n == 0 && !a->revoked_in_previous) {
        reset_delay(a);
        il_free(&lost);
        return;
    }
    bool all_previous_present = true;
    for (size_t i = 0; i < a->previous_members.n; i++) {
        if (find_worker(r, a->previous_members.v[i]) == NULL) {
            all_previous_present = false;
        }
    }
    if ((a->scheduled_rebalance <= 0 && all_previous_present) || a->max_delay == 0) {
        /* Either the lost items never reached their workers (nobody left), or the delay is off. */
        for (size_t i = 0; i < lost.n; i++) {
            il_push(reassign, lost.v[i]);
        }
        il_free(&lost);
        return;
    }
    if (a->scheduled_rebalance > 0 && now >= a->scheduled_rebalance) {
        worker **cand = sl_xmalloc((a->candidates.n + 1) * sizeof *cand);
        size_t nc = 0;
        for (size_t i = 0; i < a->candidates.n; i++) {
            worker *w = find_worker(r, a->candidates.v[i]);
            if (w != NULL) {
                cand[nc++] = w;
            }
        }
        if (nc > 0) {
            /* Round-robin over the candidates: connectors, then tasks from the first again. */
            size_t k = 0;
            for (size_t i = 0; i < lost.n; i++) {
                if (!is_task(r, lost.v[i])) {
                    give(r, cand[k++ % nc], lost.v[i]);
                }
            }
            k = 0;
            for (size_t i = 0; i < lost.n; i++) {
                if (is_task(r, lost.v[i])) {
                    give(r, cand[k++ % nc], lost.v[i]);
                }
            }
        } else {
            for (size_t i = 0; i < lost.n; i++) {
                il_push(reassign, lost.v[i]);
            }
        }
        free(cand);
        reset_delay(a);
        a->revoked_in_previous = false;
    } else {
        /* Start or continue waiting; workers with nothing now are the likely returners. */
        for (size_t i = 0; i < r->nw; i++) {
            worker *w = &r->w[i];
            if (w->conns.n == 0 && w->tasks.n == 0 && !sl_has(&a->candidates, w->id)) {
                sl_push(&a->candidates, w->id);
            }
        }
        if (now < a->scheduled_rebalance) {
            int64_t left = a->scheduled_rebalance - now;
            a->delay = (int32_t)(left < a->max_delay ? left : a->max_delay);
        } else {
            a->delay = a->max_delay;
        }
        a->scheduled_rebalance = now + a->delay;
    }
    il_free(&lost);
}

/* Java's loadBalancingRevocations for one kind: each worker may keep total/W, and total%W of
 * them one more; the surplus of the others is revoked, first items first. With apply false it
 * only says whether anything would be revoked. */
static bool balance_kind(rnd *r, bool tasks, size_t total, bool apply)
{
    size_t nw = r->nw, min = total / nw, extra = total % nw;
    size_t at_min = 0, at_extra = 0;
    for (size_t i = 0; i < nw; i++) {
        size_t k = tasks ? r->w[i].tasks.n : r->w[i].conns.n;
        at_min += k == min;
        at_extra += k == min + 1;
    }
    if (at_extra == extra && at_min + at_extra == nw) {
        return false;
    }
    bool any = false;
    size_t given_extra = 0;
    for (size_t i = 0; i < nw; i++) {
        worker *w = &r->w[i];
        ilist *l = tasks ? &w->tasks : &w->conns;
        size_t cur = l->n, keep;
        if (cur <= min) {
            continue;
        }
        if (given_extra < extra) {
            given_extra++;
            if (cur == min + 1) {
                continue;
            }
            keep = min + 1;
        } else {
            keep = min;
        }
        any = true;
        if (!apply) {
            continue;
        }
        for (size_t j = 0; j < cur - keep; j++) {
            il_push(&w->revoke, l->v[j]);
        }
        memmove(l->v, l->v + (cur - keep), keep * sizeof *l->v);
        l->n = keep;
    }
    return any;
}

/* Java's ExponentialBackoff(maxDelay == 0 ? 0 : 1, 40, maxDelay, 0).backoff(k). */
int32_t sl_assignor_revoking_backoff(int32_t max_delay, int32_t k)
{
    if (max_delay <= 0) {
        return 0; /* Java: initial interval 0, so every backoff is 0 */
    }
    double initial = 1; /* min(max_delay, 1) */
    double exp_max = max_delay > initial ? log(max_delay / initial) / log(40) : 0;
    if (exp_max == 0) {
        return (int32_t)initial;
    }
    double term = initial * pow(40, fmin(k, exp_max));
    int64_t v = (int64_t)term;
    return (int32_t)(v < max_delay ? v : max_delay);
}

/* §5.2 step 7 (Java's performLoadBalancingRevocations and the backoff around it). */
static void balance(sl_assignor *a, rnd *r, size_t nconf_inst, size_t nconf_tasks, int64_t now)
{
    bool all_empty = true;
    for (size_t i = 0; i < r->nw; i++) {
        all_empty = all_empty && r->w[i].conns.n == 0 && r->w[i].tasks.n == 0;
    }
    bool revocations = false;
    if (!all_empty && nconf_inst + nconf_tasks > 0) {
        bool c = balance_kind(r, false, nconf_inst, false);
        bool t = balance_kind(r, true, nconf_tasks, false);
        revocations = c || t;
    }
    bool apply = false;
    if (a->revoked_in_previous && revocations) {
        /* Revoking twice in a row: postpone by 40^k ms unless that comes out as 0. */
        a->successive_revoking++;
        a->delay = sl_assignor_revoking_backoff(a->max_delay, a->successive_revoking);
        if (a->delay != 0) {
            a->scheduled_rebalance = now + a->delay;
        } else {
            apply = true;
        }
    } else if (revocations) {
        apply = true;
        a->revoked_in_previous = true;
    } else if (a->revoked_in_previous) {
        a->revoked_in_previous = false; /* converged: reset the backoff clock */
        a->successive_revoking = 0;
    }
    if (apply) {
        balance_kind(r, false, nconf_inst, true);
        balance_kind(r, true, nconf_tasks, true);
    }
}

typedef struct load_key {
    size_t load;
    const char *id;
    size_t w;
} load_key;

static int load_cmp(const void *a, const void *b)
{
    const load_key *x = a, *y = b;
    if (x->load != y->load) {
        return x->load < y->load ? -1 : 1;
    }
    return java_strcmp(x->id, y->id);
}

/* Java's assignConnectors/assignTasks: sort the workers once by (load, member id), then deal the
 * items out in passes, each pass to every worker whose load equals the first worker's. */
static void distribute(rnd *r, const ilist *items, bool tasks)
{
    load_key *order = sl_xmalloc(r->nw * sizeof *order);
    for (size_t i = 0; i < r->nw; i++) {
        order[i] = (load_key){tasks ? r->w[i].tasks.n : r->w[i].conns.n, r->w[i].id, i};
    }
    qsort(order, r->nw, sizeof *order, load_cmp);
    size_t next = 0;
    while (next < items->n) {
        const worker *first = &r->w[order[0].w];
        size_t first_load = tasks ? first->tasks.n : first->conns.n;
        size_t upto = 0;
        while (upto < r->nw) {
            const worker *w = &r->w[order[upto].w];
            if ((tasks ? w->tasks.n : w->conns.n) > first_load) {
                break;
            }
            upto++;
        }
        for (size_t i = 0; i < upto && next < items->n; i++) {
            give(r, &r->w[order[i].w], items->v[next++]);
        }
    }
    free(order);
}

static void add_items(const rnd *r, sl_cp_set *s, const ilist *l, uint32_t skip_stamp)
{
    for (size_t i = 0; i < l->n; i++) {
        uint32_t x = l->v[i];
        if (skip_stamp != 0 && r->mark[x] == skip_stamp) {
            continue;
        }
        sl_cp_set_add(s, r->u[x].conn, r->u[x].task);
    }
}

static void assign_incremental(sl_assignor *a, const sl_assign_config *cfg, int32_t generation,
                               const sl_assign_member *members, size_t n, int64_t now,
                               sl_cp_assignment *out)
{
    int32_t last_completed = a->know_last_completed ? a->last_completed : generation - 1;
    if (a->previous_generation != last_completed) {
        sl_cp_set_clear(&a->previous); /* a generation went by without us: forget it */
    }
    rnd r = {0};
    rnd_build(&r, a, cfg, members, n);

    /* A previous revocation that did not take effect: trust what members report. */
    bool revoke_missed = false;
    for (uint32_t i = 0; i < r.nu; i++) {
        revoke_missed = revoke_missed || ((r.flag[i] & F_PREV_REV) && r.holders[i] > 0);
    }
    if (revoke_missed) {
        for (uint32_t i = 0; i < r.nu; i++) {
            r.flag[i] = (uint16_t)((r.flag[i] & ~F_PREV) | (r.holders[i] > 0 ? F_PREV : 0));
        }
    }

    size_t nconf_inst = 0, nconf_tasks = 0;
    for (uint32_t i = 0; i < r.nu; i++) {
        uint16_t f = r.flag[i];
        bool active = r.holders[i] > 0;
        if (f & F_CONF) {
            *(is_task(&r, i) ? &nconf_tasks : &nconf_inst) += 1;
        }
        if ((f & F_PREV) && !(f & F_CONF)) {
            f |= F_DELETED;
        }
        if (r.holders[i] > 1) {
            f |= F_DUP;
        }
        if ((f & F_PREV) && !active && !(f & F_DELETED)) {
            f |= F_LOST;
        }
        if ((f & F_CONF) && !(f & F_PREV) && !active) {
            f |= F_CREATED;
        }
        r.flag[i] = f;
    }

    /* Revoke deleted items and every copy of duplicated ones; the rest is the next assignment. */
    for (size_t i = 0; i < r.nw; i++) {
        worker *w = &r.w[i];
        for (size_t j = 0; j < w->held.n; j++) {
            uint32_t x = w->held.v[j];
            if (r.flag[x] & (F_DELETED | F_DUP)) {
                il_push(&w->revoke, x);
            } else {
                give(&r, w, x);
            }
        }
    }

    ilist to_assign = {0};
    for (uint32_t i = 0; i < r.nu; i++) {
        if (r.flag[i] & F_CREATED) {
            il_push(&to_assign, i);
        }
    }
    handle_lost(a, &r, now, &to_assign);
    if (a->delay == 0) {
        balance(a, &r, nconf_inst, nconf_tasks, now);
    } else {
        a->revoked_in_previous = false;
    }

    /* created, then lost-to-reassign; connectors first, then tasks (Java's toAssign). */
    ilist conns = {0}, tasks = {0};
    for (size_t i = 0; i < to_assign.n; i++) {
        il_push(is_task(&r, to_assign.v[i]) ? &tasks : &conns, to_assign.v[i]);
    }
    distribute(&r, &conns, false);
    distribute(&r, &tasks, true);
    il_free(&conns);
    il_free(&tasks);
    il_free(&to_assign);

    /* Outputs: increments = next - (held - deleted); revocations as computed. */
    for (size_t i = 0; i < r.nw; i++) {
        worker *w = &r.w[i];
        uint32_t stamp = (uint32_t)i + 1;
        for (size_t j = 0; j < w->held.n; j++) {
            if (!(r.flag[w->held.v[j]] & F_DELETED)) {
                r.mark[w->held.v[j]] = stamp;
            }
        }
        sl_cp_assignment *o = &out[w->in];
        add_items(&r, &o->assigned, &w->conns, stamp);
        add_items(&r, &o->assigned, &w->tasks, stamp);
        add_items(&r, &o->revoked, &w->revoke, 0);
        o->delay_ms = a->delay;
        for (size_t j = 0; j < w->held.n; j++) {
            r.mark[w->held.v[j]] = 0;
        }
    }

    /* Memory for the next round: (next - revoked) + lost; revoked; members; generation. */
    for (size_t i = 0; i < r.nw; i++) {
        worker *w = &r.w[i];
        for (size_t j = 0; j < w->conns.n; j++) {
            r.flag[w->conns.v[j]] |= F_IN_NEXT;
        }
        for (size_t j = 0; j < w->tasks.n; j++) {
            r.flag[w->tasks.v[j]] |= F_IN_NEXT;
        }
        for (size_t j = 0; j < w->revoke.n; j++) {
            r.flag[w->revoke.v[j]] |= F_REVOKED;
        }
    }
    /* Built aside first: the round borrows names from the old sets. */
    sl_cp_set previous = {0}, revoked = {0};
    for (uint32_t i = 0; i < r.nu; i++) {
        uint16_t f = r.flag[i];
        if (((f & F_IN_NEXT) && !(f & F_REVOKED)) || (f & F_LOST)) {
            sl_cp_set_add(&previous, r.u[i].conn, r.u[i].task);
        }
        if (f & F_REVOKED) {
            sl_cp_set_add(&revoked, r.u[i].conn, r.u[i].task);
        }
    }
    a->previous_generation = generation;
    sl_clear(&a->previous_members);
    for (size_t i = 0; i < r.nw; i++) {
        sl_push(&a->previous_members, r.w[i].id);
    }
    rnd_free(&r);
    sl_cp_set_clear(&a->previous);
    sl_cp_set_clear(&a->prev_revoked);
    a->previous = previous;
    a->prev_revoked = revoked;
}

int sl_assignor_assign(sl_assignor *a, int protocol, const char *leader_id, const char *leader_url,
                       const sl_assign_config *cfg, int32_t generation,
                       const sl_assign_member *members, size_t n, int64_t now_ms,
                       sl_cp_assignment *out, char *err, size_t errlen)
{
    if (check_inputs(protocol, cfg, members, n, err, errlen) < 0) {
        return -1;
    }
    int64_t max = sl_assignor_max_offset(members, n);
    bool mismatch = cfg->offset < max;
    /* The offset handed out is that of the snapshot the assignment was computed from; in Java it
     * equals both the leader's snapshot and the max member offset (the leader's metadata carries
     * its snapshot offset), or the refreshed snapshot's when the leader had to catch up. */
    int64_t offset = mismatch ? max : cfg->offset;
    for (size_t i = 0; i < n; i++) {
        fill(&out[i], protocol, mismatch ? SL_CP_CONFIG_MISMATCH : SL_CP_NO_ERROR, leader_id,
             leader_url, offset, 0);
    }
    if (mismatch) {
        return 0; /* nothing assigned, delay 0, and (like Java) the memory is left as it was */
    }
    if (protocol == SL_CP_EAGER) {
        assign_eager(cfg, members, n, out);
    } else {
        assign_incremental(a, cfg, generation, members, n, now_ms, out);
    }
    return 0;
}
