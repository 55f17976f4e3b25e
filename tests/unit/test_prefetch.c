/*
 * test_prefetch.c — worker/kafka/prefetch: when a sink task wakes librdkafka's fetchers. It must
 * kick once the queue that was full has drained to half, or ran dry right after full batches,
 * and never while the task idles on a quiet topic. (it_prefetch.sh checks the wake-up itself
 * against the mock broker.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "kafka/prefetch.h"

/* A watcher with a 1000-byte limit that has polled records of 10 bytes. */
static sl_prefetch watcher(void)
{
    sl_prefetch p;
    memset(&p, 0, sizeof(p));
    p.limit = 1000;
    sl_prefetch_note(&p, 5);
    sl_prefetch_note(&p, 15);
    return p;
}

static void test_nothing_polled_yet(void **state)
{
    (void)state;
    sl_prefetch p;
    memset(&p, 0, sizeof(p));
    p.limit = 1000;
    assert_false(sl_prefetch_should_kick(&p, 0, 0, false));
    assert_false(sl_prefetch_should_kick(&p, 100000, 0, true));
}

static void test_full_then_half(void **state)
{
    (void)state;
    sl_prefetch p = watcher();
    assert_false(sl_prefetch_should_kick(&p, 100, 0, true)); /* full: fetching stops here */
    assert_int_equal(p.peak, 1000);
    assert_false(sl_prefetch_should_kick(&p, 80, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 51, 0, true)); /* 510 bytes: more than half left */
    assert_true(sl_prefetch_should_kick(&p, 50, 0, true));  /* half: refill */
    assert_int_equal(p.peak, 500);
    /* The fetchers run again; until the queue is full once more, no second kick. */
    assert_false(sl_prefetch_should_kick(&p, 40, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 70, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 20, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 75, 0, true)); /* 3/4 full counts as full */
    assert_true(sl_prefetch_should_kick(&p, 30, 0, true));
}

static void test_dry_after_backlog(void **state)
{
    (void)state;
    sl_prefetch p = watcher();
    /* The estimate never sees the queue full (say the queued records are bigger than the
     * polled ones), but the task was busy and then found nothing: one kick. */
    assert_false(sl_prefetch_should_kick(&p, 10, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 3, 0, true));
    assert_true(sl_prefetch_should_kick(&p, 0, 0, false));
    assert_false(sl_prefetch_should_kick(&p, 0, 0, false)); /* once, not on every empty poll */
    assert_false(sl_prefetch_should_kick(&p, 0, 0, false));
    /* A partial batch that still leaves records queued is not "dry". */
    assert_false(sl_prefetch_should_kick(&p, 0, 0, true));
    assert_false(sl_prefetch_should_kick(&p, 5, 0, false));
    assert_true(sl_prefetch_should_kick(&p, 0, 0, false));
}

static void test_batch_bigger_than_queue(void **state)
{
    (void)state;
    sl_prefetch p = watcher();
    /* Each poll empties a queue that held 1.2x the limit (fetches overshoot it): the poll began
     * full, so fetching had stopped, and it ends empty: kick every time. */
    for (int i = 0; i < 5; i++) {
        assert_true(sl_prefetch_should_kick(&p, 0, 120, false));
    }
    /* Polls of a third of the limit on a queue that is never refilled past it: no kick. */
    assert_false(sl_prefetch_should_kick(&p, 0, 33, false));
    assert_false(sl_prefetch_should_kick(&p, 10, 33, false));
}

static void test_quiet_topic_never_kicks(void **state)
{
    (void)state;
    sl_prefetch p = watcher();
    for (int i = 0; i < 1000; i++) {
        assert_false(sl_prefetch_should_kick(&p, (size_t)(i % 3), (size_t)(i % 7), false));
    }
    assert_int_equal(p.kicks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_polled_yet),
        cmocka_unit_test(test_full_then_half),
        cmocka_unit_test(test_dry_after_backlog),
        cmocka_unit_test(test_batch_bigger_than_queue),
        cmocka_unit_test(test_quiet_topic_never_kicks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
