/*
 * chain.h — the transform chain of one task: `transforms=a,b`, `transforms.a.type`, per-transform
 * config, and `predicates` with `transforms.a.predicate` / `transforms.a.negate`. Components come
 * from the catalogue (built-ins and plugins alike).
 */
#ifndef SL_CHAIN_H
#define SL_CHAIN_H

#include <stddef.h>

#include "config/props.h"
#include "data/value.h"

typedef struct sl_chain sl_chain;

/* An empty chain when `transforms` is unset. NULL with err when a type is unknown or invalid. */
sl_chain *sl_chain_new(const sl_props *connector, const char *connector_name, int32_t task_id,
                       char *err, size_t errlen);
void sl_chain_free(sl_chain *c);
size_t sl_chain_len(const sl_chain *c);
/* Every transform/predicate ctx allocates values into this arena until the next call. */
void sl_chain_set_batch_arena(sl_chain *c, sl_arena *arena);
/*
 * Run the chain on one record. *out = the resulting record or NULL when dropped. On SLUICE_ERR,
 * err holds the message and *failed_class the class name of the transform that failed.
 */
sluice_rc sl_chain_apply(sl_chain *c, sl_record *in, sl_record **out, const char **failed_class,
                         char *err, size_t errlen);

#endif
