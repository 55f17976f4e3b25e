/*
 * errant.c — what Connect records about a failed record: the __connect.errors.* DLQ context headers
 * and LogReporter's "Error encountered in task" line. Pure formatting; never produces or logs.
 */
#include <inttypes.h>
#include <stdio.h>

#include "kafka/dlq.h"

#define HDR "__connect.errors."

static void add_str(rd_kafka_headers_t *h, const char *name, const char *v)
{
    rd_kafka_header_add(h, name, -1, v, v ? -1 : 0);
}

static void add_long(rd_kafka_headers_t *h, const char *name, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    add_str(h, name, buf);
}

void sl_errant_context_headers(rd_kafka_headers_t *hdrs, const struct sl_errant *e)
{
    if (e->topic != NULL) {
        add_str(hdrs, HDR "topic", e->topic);
        add_long(hdrs, HDR "partition", e->partition);
        add_long(hdrs, HDR "offset", e->offset);
    }
    add_str(hdrs, HDR "connector.name", e->connector);
    add_long(hdrs, HDR "task.id", e->task_id);
    add_str(hdrs, HDR "stage", e->stage);
    add_str(hdrs, HDR "class.name", e->class_name);
    if (e->exception_class != NULL) {
        add_str(hdrs, HDR "exception.class.name", e->exception_class);
        add_str(hdrs, HDR "exception.message", e->message);
        sl_buf st = SL_BUF_INIT;
        sl_buf_printf(&st, "%s: %s\n", e->exception_class, e->message ? e->message : "null");
        add_str(hdrs, HDR "exception.stacktrace", st.data);
        sl_buf_free(&st);
    }
}

static const char *timestamp_type_name(int t)
{
    switch (t) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
        return "CreateTime";
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
        return "LogAppendTime";
    default:
        return "NoTimestampType";
    }
}

void sl_errant_describe(const struct sl_errant *e, bool include_record, sl_buf *out)
{
    sl_buf_printf(out, "Error encountered in task %s-%d. Executing stage '%s' with class '%s'",
                  e->connector, (int)e->task_id, e->stage, e->class_name ? e->class_name : "");
    if (include_record && e->topic != NULL) {
        sl_buf_printf(out,
                      ", where consumed record is {topic='%s', partition=%d, offset=%" PRId64
                      ", timestamp=%" PRId64 ", timestampType=%s}",
                      e->topic, (int)e->partition, e->offset, e->timestamp,
                      timestamp_type_name(e->timestamp_type));
    }
    sl_buf_puts(out, ".");
    if (e->exception_class != NULL) {
        sl_buf_printf(out, "\n%s: %s", e->exception_class, e->message ? e->message : "null");
    }
}
