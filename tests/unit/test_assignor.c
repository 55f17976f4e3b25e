/*
 * test_assignor.c — Connect's eager and incremental cooperative assignors, scenario by scenario,
 * with per-member results worked out by hand from connect-internals.md §5 and Java's
 * EagerAssignor / IncrementalCooperativeAssignor (the working is in the comments). A small
 * simulated group applies each round the way Java members do ((running - revoked) + assigned)
 * and checks that no connector or task ever runs twice. Pure code: no network, no clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/assignor.h"
#include "dist/connect_protocol.h"

#define MAXM 24
#define MAXC 64
#define T0   1000000 /* an arbitrary "now" */

/* "c1(C,0,2) c2(1)": C is the connector instance, numbers are tasks. */
static const char *fmt_set(const sl_cp_set *s)
{
    static char bufs[4][2048];
    static int which;
    char *b = bufs[which++ % 4];
    size_t o = 0;
    b[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        const sl_cp_conn *c = &s->conns[i];
        o += (size_t)snprintf(b + o, 2048 - o, "%s%s(", i ? " " : "", c->connector);
        const char *sep = "";
        if (c->instance) {
            o += (size_t)snprintf(b + o, 2048 - o, "C");
            sep = ",";
        }
        for (size_t t = 0; t < c->ntasks; t++) {
            o += (size_t)snprintf(b + o, 2048 - o, "%s%d", sep, (int)c->tasks[t]);
            sep = ",";
        }
        o += (size_t)snprintf(b + o, 2048 - o, ")");
    }
    return b;
}

/* ---- a simulated group --------------------------------------------------------------------- */

typedef struct sim {
    sl_assignor *a;
    int protocol;
    char ids[MAXM][32];
    sl_cp_set run[MAXM];
    bool present[MAXM], assigned_once[MAXM];
    int64_t member_offset[MAXM];
    size_t nm;
    char names[MAXC][32];
    const char *conns[MAXC];
    int32_t counts[MAXC];
    size_t nc;
    int64_t offset; /* the leader's snapshot offset */
    int32_t gen;
    int64_t now;
    sl_cp_assignment out[MAXM];
    size_t out_member[MAXM]; /* out[i] belongs to member out_member[i] */
    size_t nout;
} sim;

static sim *sim_new(int protocol, int64_t max_delay)
{
    sim *s = calloc(1, sizeof *s);
    s->a = sl_assignor_new(max_delay);
    s->protocol = protocol;
    s->now = T0;
    return s;
}

static void sim_clear_out(sim *s)
{
    for (size_t i = 0; i < s->nout; i++) {
        sl_cp_assignment_clear(&s->out[i]);
    }
    s->nout = 0;
}

static void sim_free(sim *s)
{
    sim_clear_out(s);
    for (size_t i = 0; i < s->nm; i++) {
        sl_cp_set_clear(&s->run[i]);
    }
    sl_assignor_destroy(s->a);
    free(s);
}

static size_t sim_find(sim *s, const char *id)
{
    for (size_t i = 0; i < s->nm; i++) {
        if (strcmp(s->ids[i], id) == 0) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* A member joins (or rejoins) with nothing running. */
static void sim_join(sim *s, const char *id)
{
    size_t i = sim_find(s, id);
    if (i == SIZE_MAX) {
        i = s->nm++;
        snprintf(s->ids[i], sizeof s->ids[i], "%s", id);
    }
    s->present[i] = true;
    s->member_offset[i] = s->offset;
}

static void sim_leave(sim *s, const char *id)
{
    size_t i = sim_find(s, id);
    assert_true(i != SIZE_MAX);
    s->present[i] = false;
    sl_cp_set_clear(&s->run[i]);
    s->assigned_once[i] = false;
}

static void sim_connector(sim *s, const char *name, int32_t tasks)
{
    for (size_t i = 0; i < s->nc; i++) {
        if (strcmp(s->conns[i], name) == 0) {
            s->counts[i] = tasks;
            return;
        }
    }
    snprintf(s->names[s->nc], sizeof s->names[s->nc], "%s", name);
    s->conns[s->nc] = s->names[s->nc];
    s->counts[s->nc++] = tasks;
}

static void sim_delete(sim *s, const char *name)
{
    for (size_t i = 0; i < s->nc; i++) {
        if (strcmp(s->conns[i], name) == 0) {
            s->nc--;
            memmove(&s->names[i], &s->names[i + 1], (s->nc - i) * sizeof s->names[0]);
            memmove(&s->counts[i], &s->counts[i + 1], (s->nc - i) * sizeof s->counts[0]);
            for (size_t k = 0; k < s->nc; k++) {
                s->conns[k] = s->names[k];
            }
            return;
        }
    }
    fail_msg("no connector %s", name);
}

/* One rebalance: every present member sends metadata with its running set as the allocation
 * (null before its first assignment), the first present member leads, results are applied. */
static void sim_round(sim *s)
{
    sim_clear_out(s);
    sl_cp_metadata md[MAXM];
    sl_cp_assignment alloc[MAXM];
    sl_assign_member members[MAXM];
    const char *leader = NULL;
    for (size_t i = 0; i < s->nm; i++) {
        if (!s->present[i]) {
            continue;
        }
        size_t k = s->nout++;
        s->out_member[k] = i;
        memset(&alloc[k], 0, sizeof alloc[k]);
        alloc[k].version = (int16_t)s->protocol;
        alloc[k].assigned = s->run[i]; /* borrowed */
        md[k] = (sl_cp_metadata){(int16_t)s->protocol, "http://x:8083/", s->member_offset[i],
                                 s->assigned_once[i] ? &alloc[k] : NULL};
        members[k] = (sl_assign_member){s->ids[i], &md[k]};
        leader = leader ? leader : s->ids[i];
    }
    sl_assign_config cfg = {s->offset, s->nc, s->conns, s->counts};
    char err[200] = "";
    s->gen++;
    int rc = sl_assignor_assign(s->a, s->protocol, leader, "http://leader:8083/", &cfg, s->gen,
                                members, s->nout, s->now, s->out, err, sizeof err);
    if (rc != 0) {
        fail_msg("assign failed: %s", err);
    }
    for (size_t k = 0; k < s->nout; k++) {
        size_t i = s->out_member[k];
        const sl_cp_assignment *o = &s->out[k];
        assert_int_equal(o->version, s->protocol);
        assert_string_equal(o->leader, leader);
        assert_string_equal(o->leader_url, "http://leader:8083/");
        if (o->error != SL_CP_NO_ERROR) {
            continue;
        }
        s->assigned_once[i] = true;
        if (s->protocol == SL_CP_EAGER) {
            sl_cp_set_copy(&s->run[i], &o->assigned);
        } else {
            for (size_t j = 0; j < o->revoked.n; j++) {
                /* What is revoked is either running there or (a Java quirk: lost work handed
                 * to a returning worker and load-balanced away in the same round) was never
                 * given to it; it is never also in this round's assignment. */
                const sl_cp_conn *c = &o->revoked.conns[j];
                if (c->instance) {
                    assert_false(sl_cp_set_has(&o->assigned, c->connector, -1));
                }
                for (size_t t = 0; t < c->ntasks; t++) {
                    assert_false(sl_cp_set_has(&o->assigned, c->connector, c->tasks[t]));
                }
            }
            sl_cp_set_remove_all(&s->run[i], &o->revoked);
            sl_cp_set_add_all(&s->run[i], &o->assigned);
        }
    }
    /* Nothing runs twice across the group. */
    for (size_t i = 0; i < s->nm; i++) {
        for (size_t j = i + 1; j < s->nm; j++) {
            sl_cp_set both = {0};
            sl_cp_set_copy(&both, &s->run[i]);
            sl_cp_set_add_all(&both, &s->run[j]);
            if (sl_cp_set_count(&both) !=
                sl_cp_set_count(&s->run[i]) + sl_cp_set_count(&s->run[j])) {
                fail_msg("%s and %s both run something: %s / %s", s->ids[i], s->ids[j],
                         fmt_set(&s->run[i]), fmt_set(&s->run[j]));
            }
            sl_cp_set_clear(&both);
        }
    }
}

static const sl_cp_assignment *sim_out(sim *s, const char *id)
{
    size_t i = sim_find(s, id);
    for (size_t k = 0; k < s->nout; k++) {
        if (s->out_member[k] == i) {
            return &s->out[k];
        }
    }
    fail_msg("no assignment for %s", id);
    return NULL;
}

/* What member `id` was told this round. */
static void expect(sim *s, const char *id, const char *assigned, const char *revoked)
{
    const sl_cp_assignment *o = sim_out(s, id);
    assert_int_equal(o->error, SL_CP_NO_ERROR);
    if (strcmp(fmt_set(&o->assigned), assigned) != 0 || strcmp(fmt_set(&o->revoked), revoked)) {
        fail_msg("%s: assigned '%s' revoked '%s'; expected '%s' / '%s'", id, fmt_set(&o->assigned),
                 fmt_set(&o->revoked), assigned, revoked);
    }
}

/* What member `id` runs after applying the round. */
static void expect_running(sim *s, const char *id, const char *running)
{
    const char *got = fmt_set(&s->run[sim_find(s, id)]);
    if (strcmp(got, running) != 0) {
        fail_msg("%s runs '%s'; expected '%s'", id, got, running);
    }
}

static void expect_delay(sim *s, int32_t delay)
{
    for (size_t k = 0; k < s->nout; k++) {
        assert_int_equal(s->out[k].delay_ms, delay);
    }
}

static size_t running_total(sim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nm; i++) {
        n += s->present[i] ? sl_cp_set_count(&s->run[i]) : 0;
    }
    return n;
}

/* ---- eager ---------------------------------------------------------------------------------- */

static void test_eager_connectors_then_tasks_share_one_circular_iterator(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_EAGER, 300000);
    /* Given in unsorted order: sorted they are a(1 task), b(2 tasks); members m1, m2.
     * a->m1, b->m2, then a/0->m1, b/0->m2, b/1->m1. */
    sim_connector(s, "b", 2);
    sim_connector(s, "a", 1);
    sim_join(s, "m2");
    sim_join(s, "m1");
    s->offset = 7;
    sim_round(s);
    expect(s, "m1", "a(C,0) b(1)", "");
    expect(s, "m2", "b(C,0)", "");
    assert_int_equal(sim_out(s, "m1")->config_offset, 7);
    assert_string_equal(sim_out(s, "m2")->leader, "m2"); /* the first member given leads */
    sim_free(s);
}

static void test_eager_three_members_uneven_tasks(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_EAGER, 300000);
    /* c1->w1 c2->w2 c3->w3; c1/0->w1 c1/1->w2 c1/2->w3 c3/0->w1 (c2 has no tasks). */
    sim_connector(s, "c3", 1);
    sim_connector(s, "c1", 3);
    sim_connector(s, "c2", 0);
    sim_join(s, "w3");
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "c1(C,0) c3(0)", "");
    expect(s, "w2", "c1(1) c2(C)", "");
    expect(s, "w3", "c1(2) c3(C)", "");
    /* Eager members get their full set every time: the same again. */
    sim_round(s);
    expect(s, "w1", "c1(C,0) c3(0)", "");
    sim_free(s);
}

static void test_eager_single_task_connectors_do_not_pile_up(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_EAGER, 300000);
    /* a b c d -> w1 w2 w1 w2; tasks continue at w1: a/0 b/0 c/0 d/0 -> w1 w2 w1 w2. */
    sim_connector(s, "a", 1);
    sim_connector(s, "b", 1);
    sim_connector(s, "c", 1);
    sim_connector(s, "d", 1);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "a(C,0) c(C,0)", "");
    expect(s, "w2", "b(C,0) d(C,0)", "");
    /* Three members: a b c d -> w1 w2 w3 w1, tasks -> w2 w3 w1 w2. */
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w1", "a(C) c(0) d(C)", "");
    expect(s, "w2", "a(0) b(C) d(0)", "");
    expect(s, "w3", "b(0) c(C)", "");
    sim_free(s);
}

static void test_eager_more_members_than_work_and_no_work(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_EAGER, 300000);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w3", "", "");
    sim_connector(s, "c", 1);
    sim_round(s);
    expect(s, "w1", "c(C)", "");
    expect(s, "w2", "c(0)", "");
    expect(s, "w3", "", "");
    sim_free(s);
}

static void test_eager_sorts_like_java_string_compare(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_EAGER, 300000);
    /* U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) by bytes, after it in UTF-16
     * (0xFF21 > 0xD83D). Java sorts the emoji first, so it goes to m1. */
    sim_connector(s, "\xef\xbc\xa1", 0);
    sim_connector(s, "\xf0\x9f\x98\x80", 0);
    sim_join(s, "m1");
    sim_join(s, "m2");
    sim_round(s);
    expect(s, "m1", "\xf0\x9f\x98\x80(C)", "");
    expect(s, "m2", "\xef\xbc\xa1(C)", "");
    sim_free(s);
}

static void test_eager_output_encodes_as_the_worked_v0_bytes(void **state)
{
    (void)state;
    /* One member m1 at http://w1:8083/, offset 42, c1 with one task: §4.5's V0 assignment. */
    static const unsigned char want[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 'm',  '1',  0x00, 0x0f, 'h',  't',  't',  'p',
        ':',  '/',  '/',  'w',  '1',  ':',  '8',  '0',  '8',  '3',  '/',  0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 'c',  '1',  0x00,
        0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
    sl_assignor *a = sl_assignor_new(300000);
    const char *names[] = {"c1"};
    const int32_t counts[] = {1};
    sl_assign_config cfg = {42, 1, names, counts};
    sl_cp_metadata md = {0, "http://w1:8083/", 42, NULL};
    sl_assign_member m = {"m1", &md};
    sl_cp_assignment out;
    char err[100];
    assert_int_equal(sl_assignor_assign(a, SL_CP_EAGER, "m1", "http://w1:8083/", &cfg, 1, &m, 1, T0,
                                        &out, err, sizeof err),
                     0);
    sl_buf b = SL_BUF_INIT;
    assert_int_equal(sl_cp_assignment_encode(&out, &b), 0);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    sl_buf_free(&b);
    sl_cp_assignment_clear(&out);
    sl_assignor_destroy(a);
}

static void test_leader_behind_gets_config_mismatch_for_everyone(void **state)
{
    (void)state;
    for (int protocol = SL_CP_EAGER; protocol <= SL_CP_SESSIONED; protocol++) {
        sim *s = sim_new(protocol, 300000);
        sim_connector(s, "c1", 2);
        s->offset = 10;
        sim_join(s, "w1");
        sim_join(s, "w2");
        s->member_offset[1] = 12; /* w2 read further than the leader */
        sim_round(s);
        for (size_t k = 0; k < s->nout; k++) {
            assert_int_equal(s->out[k].error, SL_CP_CONFIG_MISMATCH);
            assert_int_equal(s->out[k].config_offset, 12);
            assert_int_equal(s->out[k].assigned.n, 0);
            assert_int_equal(s->out[k].revoked.n, 0);
            assert_int_equal(s->out[k].delay_ms, 0);
            assert_int_equal(s->out[k].version, protocol);
        }
        /* Caught up: a normal round at the new offset. */
        s->offset = 12;
        sim_round(s);
        expect(s, "w1", protocol == SL_CP_EAGER ? "c1(C,1)" : "c1(C,0)", "");
        expect(s, "w2", protocol == SL_CP_EAGER ? "c1(0)" : "c1(1)", "");
        assert_int_equal(sim_out(s, "w1")->config_offset, 12);
        sim_free(s);
    }
}

/* ---- incremental: first joins ---------------------------------------------------------------- */

static void test_incremental_first_join_of_one_worker_gets_everything(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 300000);
    sim_connector(s, "c2", 1);
    sim_connector(s, "c1", 2);
    sim_join(s, "w1");
    sim_round(s);
    expect(s, "w1", "c1(C,0,1) c2(C,0)", "");
    expect_delay(s, 0);
    /* Nothing changed: the next round hands out nothing. */
    sim_round(s);
    expect(s, "w1", "", "");
    expect_running(s, "w1", "c1(C,0,1) c2(C,0)");
    sim_free(s);
}

static void test_incremental_first_join_of_three_workers_deals_evenly(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_COMPATIBLE, 300000);
    /* Connectors c1 c2 c3 -> w1 w2 w3. Tasks in (connector, task) order to the least loaded,
     * ties by member id: c1/0 w1, c1/1 w2, c1/2 w3, c2/0 w1, c2/1 w2, c2/2 w3, c3/0 w1, c3/1 w2. */
    sim_connector(s, "c1", 3);
    sim_connector(s, "c2", 3);
    sim_connector(s, "c3", 2);
    sim_join(s, "w2");
    sim_join(s, "w3");
    sim_join(s, "w1");
    sim_round(s);
    expect(s, "w1", "c1(C,0) c2(0) c3(0)", "");
    expect(s, "w2", "c1(1) c2(C,1) c3(1)", "");
    expect(s, "w3", "c1(2) c2(2) c3(C)", "");
    expect_delay(s, 0);
    sim_free(s);
}

/* Two workers running c1(3) and c2(3), balanced. */
static sim *two_balanced_workers(void)
{
    sim *s = sim_new(SL_CP_SESSIONED, 300000);
    sim_connector(s, "c1", 3);
    sim_connector(s, "c2", 3);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "c1(C,0,2) c2(1)", "");
    expect(s, "w2", "c1(1) c2(C,0,2)", "");
    return s;
}

/* ---- incremental: a worker joins --------------------------------------------------------- */

static void test_incremental_join_revokes_surplus_then_places_it(void **state)
{
    (void)state;
    sim *s = two_balanced_workers();
    /* w3 joins. Connectors: 2 over 3 workers = 0 each + 2 extras, held 1,1,0: balanced. Tasks:
     * 6 over 3 = 2 each; w1 and w2 hold 3, so each gives up its first task. */
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w1", "", "c1(0)");
    expect(s, "w2", "", "c1(1)");
    expect(s, "w3", "", "");
    expect_delay(s, 0);
    /* The follow-up round: the revoked tasks are new work for the least loaded worker. */
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "", "");
    expect(s, "w3", "c1(0,1)", "");
    expect_delay(s, 0);
    expect_running(s, "w1", "c1(C,2) c2(1)");
    expect_running(s, "w2", "c2(C,0,2)");
    expect_running(s, "w3", "c1(0,1)");
    /* Balanced now: a further round changes nothing. */
    sim_round(s);
    expect(s, "w3", "", "");
    expect(s, "w1", "", "");
    sim_free(s);
}

static void test_incremental_joiner_leaving_before_follow_up_schedules_a_delay(void **state)
{
    (void)state;
    sim *s = two_balanced_workers();
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w1", "", "c1(0)");
    /* w3 is gone before the follow-up. Nothing is lost, but the last round revoked and a
     * member is missing, so Java schedules the full delay anyway; the revoked tasks are still
     * placed now (w1 and w2 hold 2 each: c1/0 to w1, c1/1 to w2). */
    sim_leave(s, "w3");
    s->now = T0;
    sim_round(s);
    expect(s, "w1", "c1(0)", "");
    expect(s, "w2", "c1(1)", "");
    expect_delay(s, 300000);
    /* The scheduled round changes nothing and clears the delay. */
    s->now = T0 + 300000;
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "", "");
    expect_delay(s, 0);
    sim_free(s);
}

static void test_incremental_revocation_that_did_not_take_effect_is_redone(void **state)
{
    (void)state;
    sim *s = two_balanced_workers();
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w1", "", "c1(0)");
    expect(s, "w2", "", "c1(1)");
    /* w1 did not stop c1/0. The leader trusts what members report (previous := active): only
     * c1/1 is new work (to w3), and balancing w1 again right after a revoking round is
     * postponed by 40 ms. */
    sl_cp_set_add(&s->run[sim_find(s, "w1")], "c1", 0);
    s->now = T0;
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "", "");
    expect(s, "w3", "c1(1)", "");
    expect_delay(s, 40);
    /* 40 ms later the revocation is made again, and the follow-up places it. */
    s->now = T0 + 40;
    sim_round(s);
    expect(s, "w1", "", "c1(0)");
    expect_delay(s, 0);
    sim_round(s);
    expect(s, "w3", "c1(0)", "");
    expect_running(s, "w1", "c1(C,2) c2(1)");
    expect_running(s, "w2", "c2(C,0,2)");
    expect_running(s, "w3", "c1(0,1)");
    sim_free(s);
}

/* Three workers balanced as in the join test. */
static sim *three_workers_after_join(void)
{
    sim *s = two_balanced_workers();
    sim_join(s, "w3");
    sim_round(s);
    sim_round(s);
    expect_running(s, "w3", "c1(0,1)");
    return s;
}

/* ---- incremental: a worker leaves --------------------------------------------------------- */

static void test_incremental_leave_holds_work_for_the_delay_then_reassigns(void **state)
{
    (void)state;
    sim *s = three_workers_after_join();
    /* w2 (c2(C,0,2)) leaves: its work is lost, held for the full delay; nobody gets anything. */
    sim_leave(s, "w2");
    s->now = T0;
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w3", "", "");
    expect_delay(s, 300000);
    /* A round 100 s in: still held, the delay reported is what is left. */
    s->now = T0 + 100000;
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w3", "", "");
    expect_delay(s, 200000);
    /* The delay expires with no returning worker: the lost work is new work. Connector c2 to
     * the worker with fewest connectors (w3: 0); tasks c2/0, c2/2 to w1, w3 (2 each, by id). */
    s->now = T0 + 300000;
    sim_round(s);
    expect(s, "w1", "c2(0)", "");
    expect(s, "w3", "c2(C,2)", "");
    expect_delay(s, 0);
    expect_running(s, "w1", "c1(C,2) c2(0,1)");
    expect_running(s, "w3", "c1(0,1) c2(C,2)");

    /* The worker returns after the delay (new member id): load-balancing revocation, 6 tasks
     * over 3 = 2 each; w1 and w3 give up their first task; the follow-up gives both to w5. */
    sim_join(s, "w5");
    s->now = T0 + 400000;
    sim_round(s);
    expect(s, "w1", "", "c1(2)");
    expect(s, "w3", "", "c1(0)");
    expect(s, "w5", "", "");
    expect_delay(s, 0);
    sim_round(s);
    expect(s, "w5", "c1(0,2)", "");
    expect(s, "w1", "", "");
    expect_delay(s, 0);
    sim_free(s);
}

static void test_incremental_worker_returning_within_delay_gets_its_work_back(void **state)
{
    (void)state;
    sim *s = three_workers_after_join();
    sim_leave(s, "w2");
    s->now = T0;
    sim_round(s);
    expect_delay(s, 300000);
    /* It comes back 60 s later under a new member id, empty: a candidate, but the work stays
     * unassigned until the scheduled rebalance. */
    sim_join(s, "w4");
    s->now = T0 + 60000;
    sim_round(s);
    expect(s, "w4", "", "");
    expect(s, "w1", "", "");
    expect_delay(s, 240000);
    /* At the scheduled time all the lost work goes to the candidate, nothing moves elsewhere. */
    s->now = T0 + 300000;
    sim_round(s);
    expect(s, "w4", "c2(C,0,2)", "");
    expect(s, "w1", "", "");
    expect(s, "w3", "", "");
    expect_delay(s, 0);
    /* Balanced: 1,0,1 connectors (2 over 3) and 2,2,2 tasks. */
    sim_round(s);
    expect(s, "w4", "", "");
    expect(s, "w1", "", "");
    expect(s, "w3", "", "");
    sim_free(s);
}

static void test_incremental_lost_work_round_robins_over_several_candidates(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 10000);
    /* w1 c1(C,0) c2(0) c3(0); w2 c1(1) c2(C,1) c3(1); w3 c1(2) c2(2) c3(C) (as above). */
    sim_connector(s, "c1", 3);
    sim_connector(s, "c2", 3);
    sim_connector(s, "c3", 2);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_join(s, "w3");
    sim_round(s);
    /* w2 and w3 leave; their replacements w5 and w4 join during the delay. */
    sim_leave(s, "w2");
    sim_leave(s, "w3");
    sim_round(s);
    expect_delay(s, 10000);
    sim_join(s, "w5");
    sim_join(s, "w4");
    s->now = T0 + 5000;
    sim_round(s);
    expect_delay(s, 5000);
    /* Lost connectors c2 c3 and tasks c1/1 c1/2 c2/1 c2/2 c3/1, round-robin over the
     * candidates in the order they were recorded (member id order within a round: w4, w5),
     * tasks starting again from the first: c2 w4, c3 w5; c1/1 w4, c1/2 w5, c2/1 w4, c2/2 w5,
     * c3/1 w4. The result is balanced (1/1/1 connectors, 3/3/2 tasks): nothing revoked. */
    s->now = T0 + 10000;
    sim_round(s);
    expect(s, "w4", "c1(1) c2(C,1) c3(1)", "");
    expect(s, "w5", "c1(2) c2(2) c3(C)", "");
    expect(s, "w1", "", "");
    expect_delay(s, 0);
    sim_free(s);
}

static void test_incremental_candidate_work_can_be_balanced_away_in_the_same_round(void **st)
{
    (void)st;
    sim *s = sim_new(SL_CP_SESSIONED, 10000);
    sim_connector(s, "c1", 4);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w2", "c1(1,3)", "");
    sim_leave(s, "w2");
    sim_round(s);
    expect_delay(s, 10000);
    sim_join(s, "w3"); /* empty during the wait: a candidate */
    s->now = T0 + 1000;
    sim_round(s);
    expect_delay(s, 9000);
    /* At the scheduled time w5 joins too. The candidate w3 gets both lost tasks; then, with the
     * delay over, balancing (4 tasks over 3: w1 keeps its 2 with the extra) takes w3 down to
     * 1, revoking the first of what it was just given. Java does exactly this: w3 is told to
     * revoke c1/1, which it never ran, and it is not in its assignment. */
    sim_join(s, "w5");
    s->now = T0 + 10000;
    sim_round(s);
    expect(s, "w3", "c1(3)", "c1(1)");
    expect(s, "w5", "", "");
    expect(s, "w1", "", "");
    expect_delay(s, 0);
    /* c1/1 is lost work again; nobody left and no rebalance is scheduled: placed at once. */
    sim_round(s);
    expect(s, "w5", "c1(1)", "");
    expect(s, "w3", "", "");
    expect_running(s, "w1", "c1(C,0,2)");
    expect_running(s, "w3", "c1(3)");
    expect_running(s, "w5", "c1(1)");
    sim_free(s);
}

static void test_incremental_max_delay_zero_reassigns_lost_work_at_once(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 0);
    sim_connector(s, "c1", 3);
    sim_connector(s, "c2", 3);
    sim_connector(s, "c3", 2);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_join(s, "w3");
    sim_round(s);
    expect(s, "w2", "c1(1) c2(C,1) c3(1)", "");
    /* w2 leaves: c2 to w1 (1 connector each, w1 first by id); tasks c1/1 c2/1 c3/1 to the
     * least loaded: w3 (2) takes c1/1, then w3 and w1 (3 each) take c2/1 and c3/1. */
    sim_leave(s, "w2");
    sim_round(s);
    expect(s, "w1", "c2(C) c3(1)", "");
    expect(s, "w3", "c1(1) c2(1)", "");
    expect_delay(s, 0);
    expect_running(s, "w1", "c1(C,0) c2(C,0) c3(0,1)");
    expect_running(s, "w3", "c1(1,2) c2(1,2) c3(C)");
    sim_free(s);
}

static void test_incremental_lost_work_never_received_is_reassigned_at_once(void **state)
{
    (void)state;
    sim *s = two_balanced_workers();
    /* w2 never got its assignment (still reports nothing) but is still a member: nobody left,
     * no rebalance is scheduled, so its items go out again at once, to the least loaded: w2. */
    size_t w2 = sim_find(s, "w2");
    sl_cp_set_clear(&s->run[w2]);
    s->assigned_once[w2] = false;
    sim_round(s);
    expect(s, "w2", "c1(1) c2(C,0,2)", "");
    expect(s, "w1", "", "");
    expect_delay(s, 0);
    sim_free(s);
}

/* ---- incremental: config changes ---------------------------------------------------------- */

/* w1 c1(C,0,2,4); w2 c1(1,3) c2(C,0). */
static sim *uneven_tasks(void)
{
    sim *s = sim_new(SL_CP_SESSIONED, 300000);
    sim_connector(s, "c1", 5);
    sim_connector(s, "c2", 1);
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "c1(C,0,2,4)", "");
    expect(s, "w2", "c1(1,3) c2(C,0)", "");
    return s;
}

static void test_incremental_uneven_task_counts(void **state)
{
    (void)state;
    sim *s = uneven_tasks();
    /* A third connector with 4 tasks: c3 to w1 (one connector each: the tie goes by member
     * id); tasks: held 3/3, so c3/0..3 alternate w1 w2 w1 w2. */
    sim_connector(s, "c3", 4);
    sim_round(s);
    expect(s, "w1", "c3(C,0,2)", "");
    expect(s, "w2", "c3(1,3)", "");
    sim_free(s);
}

static void test_incremental_deleted_connector_is_revoked_everywhere(void **state)
{
    (void)state;
    sim *s = uneven_tasks();
    sim_delete(s, "c1");
    sim_round(s);
    expect(s, "w1", "", "c1(C,0,2,4)");
    expect(s, "w2", "", "c1(1,3)");
    expect_delay(s, 0);
    /* After the members stopped it there is nothing left to do. */
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "", "");
    expect_running(s, "w1", "");
    expect_running(s, "w2", "c2(C,0)");
    sim_free(s);
}

static void test_incremental_reduced_task_count_revokes_the_removed_tasks(void **state)
{
    (void)state;
    sim *s = uneven_tasks();
    sim_connector(s, "c1", 2); /* tasks 2, 3, 4 are gone */
    sim_round(s);
    expect(s, "w1", "", "c1(2,4)");
    expect(s, "w2", "", "c1(3)");
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "", "");
    expect_running(s, "w1", "c1(C,0)");
    expect_running(s, "w2", "c1(1) c2(C,0)");
    /* Back up to 4 tasks. Java sorts the workers once (w1: 1 task, w2: 2), then deals in
     * passes: c1/2 to w1 alone, then a pass over w1 and w2 (now 2 each) starting with w1. */
    sim_connector(s, "c1", 4);
    sim_round(s);
    expect(s, "w1", "c1(2,3)", "");
    expect(s, "w2", "", "");
    sim_free(s);
}

static void test_incremental_duplicated_work_is_revoked_from_every_holder(void **state)
{
    (void)state;
    sl_assignor *a = sl_assignor_new(300000);
    const char *names[] = {"c1", "c2"};
    const int32_t counts[] = {1, 1};
    sl_assign_config cfg = {5, 2, names, counts};
    /* Both report the c1 instance (say, after a partition). */
    sl_cp_assignment al1 = {.version = 2}, al2 = {.version = 2};
    sl_cp_set_add(&al1.assigned, "c1", -1);
    sl_cp_set_add(&al1.assigned, "c1", 0);
    sl_cp_set_add(&al2.assigned, "c1", -1);
    sl_cp_set_add(&al2.assigned, "c2", -1);
    sl_cp_set_add(&al2.assigned, "c2", 0);
    sl_cp_metadata md1 = {2, "u1", 5, &al1}, md2 = {2, "u2", 5, &al2};
    sl_assign_member m[2] = {{"w1", &md1}, {"w2", &md2}};
    sl_cp_assignment out[2];
    char err[100];
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u1", &cfg, 1, m, 2, T0, out, err, sizeof err),
                     0);
    assert_string_equal(fmt_set(&out[0].revoked), "c1(C)");
    assert_string_equal(fmt_set(&out[1].revoked), "c1(C)");
    assert_string_equal(fmt_set(&out[0].assigned), "");
    assert_string_equal(fmt_set(&out[1].assigned), "");
    sl_cp_assignment_clear(&out[0]);
    sl_cp_assignment_clear(&out[1]);
    /* Both stopped it: now it is new work, for the worker with fewer connectors (w1). */
    sl_cp_set_remove(&al1.assigned, "c1", -1);
    sl_cp_set_remove(&al2.assigned, "c1", -1);
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u1", &cfg, 2, m, 2, T0, out, err, sizeof err),
                     0);
    assert_string_equal(fmt_set(&out[0].assigned), "c1(C)");
    assert_string_equal(fmt_set(&out[1].assigned), "");
    assert_string_equal(fmt_set(&out[0].revoked), "");
    sl_cp_assignment_clear(&out[0]);
    sl_cp_assignment_clear(&out[1]);
    sl_cp_assignment_clear(&al1);
    sl_cp_assignment_clear(&al2);
    sl_assignor_destroy(a);
}

static void test_incremental_many_connectors_balance_on_join(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 300000);
    char name[16];
    for (int i = 0; i < 50; i++) {
        snprintf(name, sizeof name, "conn-%02d", i);
        sim_connector(s, name, 1);
    }
    sim_join(s, "w1");
    sim_join(s, "w2");
    sim_join(s, "w3");
    sim_join(s, "w4");
    sim_round(s);
    /* 50 connectors and 50 tasks over 4: w1 and w2 get 13 of each, w3 and w4 12. */
    size_t want[] = {26, 26, 24, 24};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(sl_cp_set_count(&s->run[i]), want[i]);
    }
    assert_true(strncmp(fmt_set(&s->out[0].assigned), "conn-00(C,0) conn-04(C,0)", 25) == 0);
    /* A fifth worker: everyone keeps 10 connectors and 10 tasks; 3+3+2+2 of each are revoked,
     * and the follow-up round gives all 10 + 10 to w5. */
    sim_join(s, "w5");
    sim_round(s);
    size_t revoked = 0;
    for (size_t k = 0; k < s->nout; k++) {
        revoked += sl_cp_set_count(&s->out[k].revoked);
        assert_int_equal(s->out[k].assigned.n, 0);
    }
    assert_int_equal(revoked, 20);
    sim_round(s);
    assert_int_equal(sl_cp_set_count(&sim_out(s, "w5")->assigned), 20);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(sl_cp_set_count(&s->run[i]), 20);
    }
    assert_int_equal(running_total(s), 100);
    sim_round(s);
    for (size_t k = 0; k < s->nout; k++) {
        assert_int_equal(s->out[k].assigned.n + s->out[k].revoked.n, 0);
    }
    sim_free(s);
}

/* ---- incremental: backoff, generations ------------------------------------------------------ */

static void test_incremental_successive_revocations_back_off(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 300000);
    sim_connector(s, "c1", 6);
    sim_join(s, "w1");
    sim_round(s);
    expect(s, "w1", "c1(C,0,1,2,3,4,5)", "");
    /* w2 joins: w1 keeps 3 tasks. */
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "", "c1(0,1,2)");
    /* w3 joins in the follow-up round: balancing would revoke again right after a revoking
     * round, so it is postponed by 40 ms; the revoked tasks still go out (w2 w3 w2). */
    sim_join(s, "w3");
    s->now = T0;
    sim_round(s);
    expect(s, "w1", "", "");
    expect(s, "w2", "c1(0,2)", "");
    expect(s, "w3", "c1(1)", "");
    expect_delay(s, 40);
    /* 40 ms later: now w1 (3 tasks) gives up its first, and w3 (1) gets it after. */
    s->now = T0 + 40;
    sim_round(s);
    expect(s, "w1", "", "c1(3)");
    expect_delay(s, 0);
    sim_round(s);
    expect(s, "w3", "c1(3)", "");
    expect_running(s, "w1", "c1(C,4,5)");
    expect_running(s, "w2", "c1(0,2)");
    expect_running(s, "w3", "c1(1,3)");
    sim_free(s);
}

static void test_incremental_max_delay_zero_never_postpones_revocation(void **state)
{
    (void)state;
    sim *s = sim_new(SL_CP_SESSIONED, 0);
    sim_connector(s, "c1", 6);
    sim_join(s, "w1");
    sim_round(s);
    sim_join(s, "w2");
    sim_round(s);
    expect(s, "w1", "", "c1(0,1,2)");
    sim_join(s, "w3");
    sim_round(s);
    /* Revoked at once: w1's first task c1/3; the earlier ones go to w2 w3 w2. */
    expect(s, "w1", "", "c1(3)");
    expect(s, "w2", "c1(0,2)", "");
    expect(s, "w3", "c1(1)", "");
    expect_delay(s, 0);
    sim_free(s);
}

static void test_revoking_backoff_is_forty_to_the_k_capped(void **state)
{
    (void)state;
    assert_int_equal(sl_assignor_revoking_backoff(300000, 1), 40);
    assert_int_equal(sl_assignor_revoking_backoff(300000, 2), 1600);
    assert_int_equal(sl_assignor_revoking_backoff(300000, 3), 64000);
    int32_t cap = sl_assignor_revoking_backoff(300000, 4);
    assert_true(cap >= 299999 && cap <= 300000); /* 40^log40(300000) in doubles, truncated */
    assert_true(sl_assignor_revoking_backoff(300000, 50) <= 300000);
    /* 40^(log 1000 / log 40) is 999.9999999999999 in doubles and Java truncates it, so the
     * "cap" can come out one below max; either way it never exceeds it. */
    int32_t small = sl_assignor_revoking_backoff(1000, 2);
    assert_true(small == 999 || small == 1000);
    assert_int_equal(sl_assignor_revoking_backoff(1, 3), 1);
    assert_int_equal(sl_assignor_revoking_backoff(0, 1), 0);
}

/* A leader that assigned generation 1, then (maybe) missed generation 2, assigns again. */
static void missed_generation_case(int32_t second_gen, bool tell_sync, const char *w3_expect,
                                   int32_t delay)
{
    sl_assignor *a = sl_assignor_new(300000);
    const char *names[] = {"c1", "c2"};
    const int32_t counts[] = {1, 1};
    sl_assign_config cfg = {5, 2, names, counts};
    sl_cp_metadata fresh1 = {2, "u1", 5, NULL}, fresh2 = {2, "u2", 5, NULL};
    sl_assign_member m1[2] = {{"w1", &fresh1}, {"w2", &fresh2}};
    sl_cp_assignment out[2];
    char err[100];
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u1", &cfg, 1, m1, 2, T0, out, err, sizeof err),
                     0);
    assert_string_equal(fmt_set(&out[0].assigned), "c1(C,0)");
    assert_string_equal(fmt_set(&out[1].assigned), "c2(C,0)");
    sl_cp_assignment_clear(&out[0]);
    sl_cp_assignment_clear(&out[1]);
    if (tell_sync) {
        sl_assignor_sync_completed(a, 1);
    }
    /* Now w2 is gone (its work held by whoever led meanwhile, or lost), w3 is new. */
    sl_cp_assignment al1 = {.version = 2};
    sl_cp_set_add(&al1.assigned, "c1", -1);
    sl_cp_set_add(&al1.assigned, "c1", 0);
    sl_cp_metadata md1 = {2, "u1", 5, &al1}, md3 = {2, "u3", 5, NULL};
    sl_assign_member m2[2] = {{"w1", &md1}, {"w3", &md3}};
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u1", &cfg, second_gen, m2, 2, T0 + 1000, out,
                                        err, sizeof err),
                     0);
    assert_string_equal(fmt_set(&out[0].assigned), "");
    assert_string_equal(fmt_set(&out[1].assigned), w3_expect);
    assert_int_equal(out[0].delay_ms, delay);
    assert_int_equal(out[1].delay_ms, delay);
    sl_cp_assignment_clear(&out[0]);
    sl_cp_assignment_clear(&out[1]);
    sl_cp_assignment_clear(&al1);
    sl_assignor_destroy(a);
}

static void test_incremental_new_leader_that_missed_a_generation_forgets_its_memory(void **st)
{
    (void)st;
    /* Consecutive generation: w2's work is lost and held for the delay. */
    missed_generation_case(2, false, "", 300000);
    /* Generation 3 (someone else led generation 2): the old memory is dropped, so c2 is simply
     * unassigned work and goes to w3 at once. */
    missed_generation_case(3, false, "c2(C,0)", 0);
    /* Told explicitly that generation 1 completed: the same as the consecutive case. */
    missed_generation_case(2, true, "", 300000);
}

static void test_incremental_failed_own_sync_is_detected_with_sync_completed(void **state)
{
    (void)state;
    /* Leader assigned generation 1 (sync completed) and generation 2 (its SyncGroup failed), and
     * now assigns generation 3: Java compares 2 with the last completed 1 and drops memory. */
    sl_assignor *a = sl_assignor_new(300000);
    const char *names[] = {"c1", "c2"};
    const int32_t counts[] = {1, 1};
    sl_assign_config cfg = {5, 2, names, counts};
    sl_cp_metadata fresh1 = {2, "u1", 5, NULL}, fresh2 = {2, "u2", 5, NULL};
    sl_assign_member m1[2] = {{"w1", &fresh1}, {"w2", &fresh2}};
    sl_cp_assignment out[2];
    char err[100];
    for (int32_t gen = 1; gen <= 2; gen++) {
        assert_int_equal(
            sl_assignor_assign(a, 2, "w1", "u1", &cfg, gen, m1, 2, T0, out, err, sizeof err), 0);
        sl_cp_assignment_clear(&out[0]);
        sl_cp_assignment_clear(&out[1]);
        if (gen == 1) {
            sl_assignor_sync_completed(a, 1);
        }
    }
    sl_cp_assignment al1 = {.version = 2};
    sl_cp_set_add(&al1.assigned, "c1", -1);
    sl_cp_set_add(&al1.assigned, "c1", 0);
    sl_cp_metadata md1 = {2, "u1", 5, &al1}, md3 = {2, "u3", 5, NULL};
    sl_assign_member m2[2] = {{"w1", &md1}, {"w3", &md3}};
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u1", &cfg, 3, m2, 2, T0, out, err, sizeof err),
                     0);
    assert_string_equal(fmt_set(&out[1].assigned), "c2(C,0)");
    assert_int_equal(out[1].delay_ms, 0);
    sl_cp_assignment_clear(&out[0]);
    sl_cp_assignment_clear(&out[1]);
    sl_cp_assignment_clear(&al1);
    sl_assignor_destroy(a);
}

static void test_incremental_config_mismatch_then_recovery(void **state)
{
    (void)state;
    sim *s = uneven_tasks();
    /* c3 (1 task) was written at offset 12; w2 has read it, the leader (offset 10) has not. */
    s->offset = 10;
    s->member_offset[sim_find(s, "w2")] = 12;
    sim_round(s);
    assert_int_equal(sim_out(s, "w1")->error, SL_CP_CONFIG_MISMATCH);
    assert_int_equal(sim_out(s, "w2")->error, SL_CP_CONFIG_MISMATCH);
    assert_int_equal(sim_out(s, "w1")->config_offset, 12);
    expect_running(s, "w1", "c1(C,0,2,4)"); /* incremental members keep running */
    /* The leader catches up; c3 goes to w1 (connectors 1/1, tasks 3/3: ties by id). */
    s->offset = 12;
    s->member_offset[sim_find(s, "w1")] = 12;
    sim_connector(s, "c3", 1);
    sim_round(s);
    expect(s, "w1", "c3(C,0)", "");
    expect(s, "w2", "", "");
    assert_int_equal(sim_out(s, "w2")->config_offset, 12);
    sim_free(s);
}

/* Random joins, leaves, connector changes and clock jumps (deterministic seed). Every round the
 * simulated group checks that nothing runs twice and that only running items are revoked; once
 * the changes stop and the delay has passed, the group settles within a few rounds with every
 * configured item running exactly once and loads within one of each other. */
static uint32_t rng = 2463534242u;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void check_settled(sim *s)
{
    size_t configured = 0;
    for (size_t i = 0; i < s->nc; i++) {
        configured += 1 + (size_t)s->counts[i];
        for (int32_t t = -1; t < s->counts[i]; t++) {
            size_t holders = 0;
            for (size_t m = 0; m < s->nm; m++) {
                holders += s->present[m] && sl_cp_set_has(&s->run[m], s->conns[i], t);
            }
            if (holders != 1) {
                fail_msg("%s/%d runs on %zu workers", s->conns[i], (int)t, holders);
            }
        }
    }
    assert_int_equal(running_total(s), configured);
    size_t cmin = SIZE_MAX, cmax = 0, tmin = SIZE_MAX, tmax = 0;
    for (size_t m = 0; m < s->nm; m++) {
        if (!s->present[m]) {
            continue;
        }
        size_t c = 0, t = 0;
        for (size_t k = 0; k < s->run[m].n; k++) {
            c += s->run[m].conns[k].instance;
            t += s->run[m].conns[k].ntasks;
        }
        cmin = c < cmin ? c : cmin;
        cmax = c > cmax ? c : cmax;
        tmin = t < tmin ? t : tmin;
        tmax = t > tmax ? t : tmax;
    }
    if (cmax > cmin + 1 || tmax > tmin + 1) {
        fail_msg("unbalanced: connectors %zu..%zu, tasks %zu..%zu", cmin, cmax, tmin, tmax);
    }
}

static void test_incremental_random_churn_keeps_invariants_and_settles(void **state)
{
    (void)state;
    for (int run = 0; run < 20; run++) {
        sim *s = sim_new(SL_CP_SESSIONED, run % 3 == 0 ? 0 : 5000);
        int next_worker = 0, next_conn = 0;
        char name[32];
        for (int i = 0; i < 2; i++) {
            snprintf(name, sizeof name, "w%02d", next_worker++);
            sim_join(s, name);
        }
        for (int step = 0; step < 60; step++) {
            uint32_t r = next_rand() % 10;
            size_t present = 0;
            for (size_t m = 0; m < s->nm; m++) {
                present += s->present[m];
            }
            if (r <= 1 && next_worker < MAXM) {
                snprintf(name, sizeof name, "w%02d", next_worker++);
                sim_join(s, name);
            } else if (r == 2 && present > 1) {
                size_t m = next_rand() % s->nm;
                if (s->present[m]) {
                    sim_leave(s, s->ids[m]);
                }
            } else if (r >= 3 && r <= 5 && s->nc < MAXC) {
                snprintf(name, sizeof name, "c%03d", next_conn++);
                sim_connector(s, name, (int32_t)(next_rand() % 5));
            } else if (r == 6 && s->nc > 0) {
                sim_delete(s, s->conns[next_rand() % s->nc]);
            } else if (r == 7 && s->nc > 0) {
                sim_connector(s, s->conns[next_rand() % s->nc], (int32_t)(next_rand() % 6));
            }
            s->now += (int64_t)(next_rand() % 3000);
            sim_round(s);
            /* Members rejoin at once after a revocation, as Java members do. */
            bool revoked = false;
            for (size_t k = 0; k < s->nout; k++) {
                revoked = revoked || s->out[k].revoked.n > 0;
            }
            if (revoked) {
                sim_round(s);
            }
        }
        /* Quiet: let any delay run out, then a few rounds (rejoin-after-delay included). */
        for (int k = 0; k < 8; k++) {
            s->now += 6000;
            sim_round(s);
        }
        check_settled(s);
        sim_round(s);
        for (size_t k = 0; k < s->nout; k++) {
            assert_int_equal(s->out[k].assigned.n + s->out[k].revoked.n, 0);
            assert_int_equal(s->out[k].delay_ms, 0);
        }
        sim_free(s);
    }
}

static void test_bad_inputs_are_refused(void **state)
{
    (void)state;
    sl_assignor *a = sl_assignor_new(300000);
    const char *names[] = {"c1", "c1"};
    const int32_t counts[] = {1, 1}, negative[] = {-1};
    sl_assign_config dup = {5, 2, names, counts};
    sl_assign_config neg = {5, 1, names, negative};
    sl_assign_config none = {5, 0, NULL, NULL};
    sl_cp_metadata md = {2, "u", 5, NULL};
    sl_assign_member m[2] = {{"w1", &md}, {"w1", &md}};
    sl_assign_member nomd = {"w1", NULL};
    sl_cp_assignment out[2];
    char err[100] = "";
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &none, 1, m, 0, T0, out, err, 100), -1);
    assert_non_null(strstr(err, "no members"));
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &none, 1, m, 2, T0, out, err, 100), -1);
    assert_non_null(strstr(err, "duplicate member id 'w1'"));
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &dup, 1, m, 1, T0, out, err, 100), -1);
    assert_non_null(strstr(err, "connector configured twice 'c1'"));
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &neg, 1, m, 1, T0, out, err, 100), -1);
    assert_non_null(strstr(err, "negative task count"));
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &none, 1, &nomd, 1, T0, out, err, 100),
                     -1);
    assert_int_equal(sl_assignor_assign(a, 5, "w1", "u", &none, 1, m, 1, T0, out, err, 100), -1);
    assert_non_null(strstr(err, "protocol"));
    /* A valid empty round still works after all that. */
    assert_int_equal(sl_assignor_assign(a, 2, "w1", "u", &none, 1, m, 1, T0, out, err, 100), 0);
    assert_int_equal(out[0].assigned.n, 0);
    sl_cp_assignment_clear(&out[0]);
    assert_int_equal(sl_assignor_max_offset(m, 0), -1);
    sl_assignor_destroy(a);
    sl_assignor_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eager_connectors_then_tasks_share_one_circular_iterator),
        cmocka_unit_test(test_eager_three_members_uneven_tasks),
        cmocka_unit_test(test_eager_single_task_connectors_do_not_pile_up),
        cmocka_unit_test(test_eager_more_members_than_work_and_no_work),
        cmocka_unit_test(test_eager_sorts_like_java_string_compare),
        cmocka_unit_test(test_eager_output_encodes_as_the_worked_v0_bytes),
        cmocka_unit_test(test_leader_behind_gets_config_mismatch_for_everyone),
        cmocka_unit_test(test_incremental_first_join_of_one_worker_gets_everything),
        cmocka_unit_test(test_incremental_first_join_of_three_workers_deals_evenly),
        cmocka_unit_test(test_incremental_join_revokes_surplus_then_places_it),
        cmocka_unit_test(test_incremental_joiner_leaving_before_follow_up_schedules_a_delay),
        cmocka_unit_test(test_incremental_revocation_that_did_not_take_effect_is_redone),
        cmocka_unit_test(test_incremental_leave_holds_work_for_the_delay_then_reassigns),
        cmocka_unit_test(test_incremental_worker_returning_within_delay_gets_its_work_back),
        cmocka_unit_test(test_incremental_lost_work_round_robins_over_several_candidates),
        cmocka_unit_test(test_incremental_candidate_work_can_be_balanced_away_in_the_same_round),
        cmocka_unit_test(test_incremental_max_delay_zero_reassigns_lost_work_at_once),
        cmocka_unit_test(test_incremental_lost_work_never_received_is_reassigned_at_once),
        cmocka_unit_test(test_incremental_uneven_task_counts),
        cmocka_unit_test(test_incremental_deleted_connector_is_revoked_everywhere),
        cmocka_unit_test(test_incremental_reduced_task_count_revokes_the_removed_tasks),
        cmocka_unit_test(test_incremental_duplicated_work_is_revoked_from_every_holder),
        cmocka_unit_test(test_incremental_many_connectors_balance_on_join),
        cmocka_unit_test(test_incremental_successive_revocations_back_off),
        cmocka_unit_test(test_incremental_max_delay_zero_never_postpones_revocation),
        cmocka_unit_test(test_revoking_backoff_is_forty_to_the_k_capped),
        cmocka_unit_test(test_incremental_new_leader_that_missed_a_generation_forgets_its_memory),
        cmocka_unit_test(test_incremental_failed_own_sync_is_detected_with_sync_completed),
        cmocka_unit_test(test_incremental_config_mismatch_then_recovery),
        cmocka_unit_test(test_incremental_random_churn_keeps_invariants_and_settles),
        cmocka_unit_test(test_bad_inputs_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
