/*
 * config_topic.h — records of the config topic (`config.storage.topic`) exactly as Java writes
 * and reads them (shared/reference/connect-internals.md §1), and the reader's state machine:
 * the config snapshot with the commit-record consistency rule and the config offset
 * (last record + 1; -1 when nothing was read).
 *
 * Pure code apart from allocation: records come in as bytes, encoders append bytes. Not
 * thread-safe: the owner (the distributed herder) serialises access.
 */
#ifndef SL_DIST_CONFIG_TOPIC_H
#define SL_DIST_CONFIG_TOPIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/props.h"
#include "util/buf.h"

/* Target states as stored (state.v2). */
enum sl_cfg_target {
    SL_CFG_STARTED = 0,
    SL_CFG_PAUSED = 1,
    SL_CFG_STOPPED = 2,
};

/* ---- encoders: key and value bytes as Java writes them (compact JSON, schema field order) ---- */
void sl_cfg_key_connector(const char *name, sl_buf *key);          /* connector-<name> */
void sl_cfg_key_task(const char *name, int32_t task, sl_buf *key); /* task-<name>-<n> */
void sl_cfg_key_commit(const char *name, sl_buf *key);             /* commit-<name> */
void sl_cfg_key_target_state(const char *name, sl_buf *key);       /* target-state-<name> */
void sl_cfg_key_restart(const char *name, sl_buf *key);            /* restart-connector-<name> */
void sl_cfg_key_tasks_fencing(const char *name, sl_buf *key);      /* tasks-fencing-<name> */
#define SL_CFG_SESSION_KEY_KEY "session-key" /* the session key's record key */
/* {"properties":{...}} in the props' insertion order; works for connector and task configs. */
void sl_cfg_value_properties(const sl_props *p, sl_buf *val);
void sl_cfg_value_commit(int32_t tasks, sl_buf *val); /* {"tasks":N} */
/* {"state":"PAUSED","state.v2":"STOPPED"}: state is PAUSED when the real state is STOPPED. */
void sl_cfg_value_target_state(int target, sl_buf *val);
void sl_cfg_value_restart(bool include_tasks, bool only_failed, sl_buf *val);
void sl_cfg_value_tasks_fencing(int32_t task_count, sl_buf *val); /* {"task-count":N} */
/* session-key: {"key":"<base64>","algorithm":"HmacSHA256","creation-timestamp":<ms>} */
void sl_cfg_value_session_key(const uint8_t *key, size_t keylen, const char *algorithm,
                              int64_t created_ms, sl_buf *val);

/* ---- the snapshot ---- */
typedef struct sl_cfg_state sl_cfg_state;

/* What applying one record changed, so the herder knows whether to rebalance or restart. */
enum sl_cfg_change {
    SL_CFG_NONE = 0,
    SL_CFG_CONNECTOR_ADDED = 1 << 0,   /* a connector that was not there now has a config */
    SL_CFG_CONNECTOR_REMOVED = 1 << 1, /* tombstone of a known connector */
    SL_CFG_CONNECTOR_UPDATED = 1 << 2, /* a new config for an existing one (even if equal: Java) */
    SL_CFG_TASKS_COMMITTED = 1 << 3,   /* a complete commit applied new task configs */
    SL_CFG_TARGET_CHANGED = 1 << 4,
    SL_CFG_SESSION_KEY = 1 << 5,
    SL_CFG_RESTART_REQUEST = 1 << 6,
    SL_CFG_INCONSISTENT = 1 << 7, /* a commit without every task config: leader must rewrite */
};

typedef struct sl_cfg_event {
    int changes;           /* enum sl_cfg_change bits */
    const char *connector; /* the connector the record was about (valid until the next apply), or
                              NULL (session key, unknown keys) */
    bool include_tasks, only_failed; /* SL_CFG_RESTART_REQUEST */
} sl_cfg_event;

sl_cfg_state *sl_cfg_state_new(void);
void sl_cfg_state_free(sl_cfg_state *s);

/* Apply one record, in offset order. val NULL = tombstone (so are an empty value and JSON null,
 * as for Jackson). Follows §1.3 exactly, including "a value that is not valid JSON is logged and
 * dropped without advancing the offset". Returns -1 for a value that is not JSON (offset
 * unchanged), a NULL key or an unknown key (offset advanced); a record of a known kind with a bad
 * shape is logged as Java logs it and returns 0 with no change bits. ev may be NULL. */
int sl_cfg_state_apply(sl_cfg_state *s, int64_t offset, const void *key, size_t klen,
                       const void *val, size_t vlen, sl_cfg_event *ev);

int64_t sl_cfg_state_offset(const sl_cfg_state *s); /* -1 when nothing was applied */

/* Connectors with a config, in the order they first appeared. */
size_t sl_cfg_state_count(const sl_cfg_state *s);
const char *sl_cfg_state_name_at(const sl_cfg_state *s, size_t i);
bool sl_cfg_state_has(const sl_cfg_state *s, const char *name);
const sl_props *sl_cfg_state_config(const sl_cfg_state *s, const char *name); /* NULL: none */
int sl_cfg_state_target(const sl_cfg_state *s, const char *name); /* enum sl_cfg_target */
/* Committed task count (0 when none or inconsistent) and applied task configs 0..count-1. */
int32_t sl_cfg_state_task_count(const sl_cfg_state *s, const char *name);
const sl_props *sl_cfg_state_task_config(const sl_cfg_state *s, const char *name, int32_t task);
bool sl_cfg_state_inconsistent(const sl_cfg_state *s, const char *name);
/* Task-config generation (Java's connectorTaskConfigGenerations): bumped by every complete
 * commit once a task record has been read for the connector (first 0); -1 before that. */
int64_t sl_cfg_state_task_generation(const sl_cfg_state *s, const char *name);
/* The connector config that was in force at the last complete commit (Java's
 * appliedConnectorConfigs); NULL when none. Borrowed until the next apply. */
const sl_props *sl_cfg_state_applied_config(const sl_cfg_state *s, const char *name);
/* KIP-618: the task count of the last tasks-fencing record (-1 none); *pending (may be NULL) is
 * true when a commit arrived after it (a fencing round is due). */
int32_t sl_cfg_state_fencing_count(const sl_cfg_state *s, const char *name, bool *pending);
/* The current session key; false when none has been read. */
bool sl_cfg_state_session_key(const sl_cfg_state *s, const uint8_t **key, size_t *len,
                              const char **algorithm, int64_t *created_ms);

#endif
