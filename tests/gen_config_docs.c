/*
 * gen_config_docs.c — prints docs/configuration.md from the config-def tables
 * (./tests/gen_config_docs > docs/configuration.md), or, given plugin files, the reference of
 * every component those plugins provide
 * (./tests/gen_config_docs plugins/NAME/.libs/NAME.so ... > docs/sink-plugins.md).
 * It must never hand-write a key's doc.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "plugin/catalog.h"

static const char plugins_intro[] =
    "# Sink plugins shipped with sluice: configuration reference\n\n"
    "<!-- Generated from each plugin's config table by tests/gen_config_docs; do not edit by "
    "hand.\n"
    "     Regenerate (from a build dir): ./tests/gen_config_docs plugins/*/.libs/*_sink.so "
    "> docs/sink-plugins.md -->\n\n"
    "Each section is one connector class; the names under it are the other values "
    "`connector.class` accepts (Java class names of the connectors it replaces, and short "
    "aliases). Every connector also takes the common connector and sink keys of "
    "[configuration.md](configuration.md). The behaviour behind the keys is described in each "
    "sink's own page.\n\n";

static void document_plugin(const char *file, sl_buf *out)
{
    for (size_t i = 0; i < sl_catalog_count(); i++) {
        const struct sl_component *c = sl_catalog_at(i);
        if (c->file == NULL || strcmp(c->file, file) != 0) {
            continue;
        }
        sl_buf_printf(out, "## `%s`\n\n", c->comp->class_name);
        sl_buf_printf(out, "%s %s, version %s (`%s`).",
                      c->comp->description != NULL ? c->comp->description : "",
                      sl_component_kind_name((int)c->comp->kind),
                      c->version != NULL ? c->version : "?",
                      c->desc->name != NULL ? c->desc->name : "?");
        if (c->comp->aliases != NULL && c->comp->aliases[0] != NULL) {
            sl_buf_puts(out, " Also accepted as:");
            for (size_t a = 0; c->comp->aliases[a] != NULL; a++) {
                sl_buf_printf(out, "%s `%s`", a > 0 ? "," : "", c->comp->aliases[a]);
            }
            sl_buf_puts(out, ".");
        }
        sl_buf_puts(out, "\n\n");
        if (c->comp->config_defs != NULL) {
            sl_config_defs_to_markdown(c->comp->config_defs, c->desc->config_def_size, NULL, out);
        }
    }
}

int main(int argc, char **argv)
{
    sl_buf b = SL_BUF_INIT;
    if (argc < 2) {
        sl_config_reference_markdown(&b);
    } else {
        sl_buf_puts(&b, plugins_intro);
        for (int i = 1; i < argc; i++) {
            char err[1024];
            if (sl_catalog_load_file(argv[i], err, sizeof(err)) != 0) {
                fprintf(stderr, "gen_config_docs: %s\n", err);
                sl_buf_free(&b);
                return 1;
            }
            document_plugin(argv[i], &b);
        }
    }
    fputs(b.data, stdout);
    sl_buf_free(&b);
    return 0;
}
