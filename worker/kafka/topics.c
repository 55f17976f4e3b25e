/*
 * topics.c — Connect's `topics` list: comma-separated, trimmed, empty entries dropped, duplicates
 * removed. Control plane only.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/clients.h"
#include "util/mem.h"

char **sl_kafka_split_topics(const char *list, size_t *n)
{
    size_t cap = 1;
    for (const char *p = list; p && *p; p++) {
        cap += (*p == ',');
    }
    char **out = sl_xcalloc(cap + 1, sizeof(char *));
    size_t k = 0;
    const char *p = list ? list : "";
    while (*p != '\0') {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = p;
        while (s < end && isspace((unsigned char)*s)) {
            s++;
        }
        const char *e = end;
        while (e > s && isspace((unsigned char)e[-1])) {
            e--;
        }
        if (e > s) {
            char *t = sl_xstrndup(s, (size_t)(e - s));
            bool dup = false;
            for (size_t i = 0; i < k && !dup; i++) {
                dup = strcmp(out[i], t) == 0;
            }
            if (dup) {
                free(t);
            } else {
                out[k++] = t;
            }
        }
        p = comma ? comma + 1 : end;
    }
    out[k] = NULL;
    if (n != NULL) {
        *n = k;
    }
    return out;
}

void sl_kafka_free_topics(char **topics)
{
    if (topics == NULL) {
        return;
    }
    for (size_t i = 0; topics[i] != NULL; i++) {
        free(topics[i]);
    }
    free(topics);
}
