/*
 * gen_config_docs.c — prints docs/configuration.md from the config-def tables
 * (./tests/gen_config_docs > docs/configuration.md). It must never hand-write a key's doc.
 */
#include <stdio.h>

#include "config/config.h"

int main(void)
{
    sl_buf b = SL_BUF_INIT;
    sl_config_reference_markdown(&b);
    fputs(b.data, stdout);
    sl_buf_free(&b);
    return 0;
}
