/*
 * reference_doc.c — the text of docs/configuration.md, generated from the def tables so the docs
 * can never drift from what the worker parses (tests/unit/test_config checks the committed file).
 * Prose only around the generated tables; it must never describe a key by hand.
 */
#include "config/config.h"

static const char intro[] =
    "# sluice configuration reference\n"
    "\n"
    "<!-- Generated from worker/config/defs.c by tests/gen_config_docs; do not edit by hand.\n"
    "     Regenerate: ./tests/gen_config_docs > docs/configuration.md (from a build dir). -->\n"
    "\n"
    "sluice reads the same files as Java Kafka Connect: the worker file and connector files are\n"
    "Java `.properties` files (every rule of `java.util.Properties.load`: `#`/`!` comments,\n"
    "`=`, `:` or whitespace separators, backslash continuation lines, `\\t \\n \\r \\f \\uXXXX`\n"
    "escapes, last duplicate wins; files are read as UTF-8). A connector file may also be JSON:\n"
    "a flat map of strings that contains `name`, or a create request\n"
    "`{\"name\": ..., \"config\": {...}, \"initial_state\": \"RUNNING|PAUSED|STOPPED\"}`.\n"
    "JSON numbers and booleans are accepted as values and kept as their text.\n"
    "\n"
    "Types are Java's ConfigDef types: `LIST` values are comma separated (entries trimmed, empty\n"
    "entries dropped), `BOOLEAN` is `true`/`false` in any case, enumerated values are matched\n"
    "without regard to case, and `PASSWORD` values are shown as `[hidden]` by the REST API and\n"
    "never logged. Keys ending in `*` are prefixes whose keys are passed through.\n"
    "\n";

static const char providers[] =
    "## Config providers\n"
    "\n"
    "Values may refer to secrets kept outside the config with `${provider:key}` or\n"
    "`${provider:path:key}`, resolved when a connector starts (the stored config keeps the\n"
    "variable; resolved values are never logged). Providers are declared in the worker file:\n"
    "\n"
    "```properties\n"
    "config.providers=env,file,dir\n"
    "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\n"
    "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n"
    "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider\n"
    "config.providers.file.param.allowed.paths=/etc/sluice/secrets\n"
    "```\n"
    "\n"
    "| Provider | Variable | Value |\n"
    "|---|---|---|\n"
    "| `EnvVarConfigProvider` | `${env:NAME}` | the environment variable `NAME` "
    "(param `allowlist.pattern`: a regex the name must match) |\n"
    "| `FileConfigProvider` | `${file:/path/file.properties:key}` | `key` of that .properties "
    "file (param `allowed.paths`) |\n"
    "| `DirectoryConfigProvider` | `${dir:/path/dir:name}` | the content of file `name` in that "
    "directory (param `allowed.paths`) |\n"
    "\n"
    "The simple class names (`FileConfigProvider`) and their short forms (`File`) are accepted\n"
    "too. A variable whose provider is not declared, or whose key does not exist, is left as\n"
    "written, like Java; a file that cannot be read fails the connector.\n";

void sl_config_reference_markdown(sl_buf *out)
{
    sl_buf_puts(out, intro);
    sl_config_defs_to_markdown(sl_worker_config_defs, 0, "Worker configuration", out);
    sl_buf_puts(out, "Standalone mode needs `offset.storage.file.filename` (or `state.dir`); "
                     "distributed mode needs `group.id`, `config.storage.topic`, "
                     "`offset.storage.topic` and `status.storage.topic`.\n\n");
    sl_config_defs_to_markdown(sl_connector_config_defs, 0, "Connector configuration", out);
    sl_buf_puts(out, "Each transform alias `A` in `transforms` takes `transforms.A.type` plus that "
                     "transform's keys under `transforms.A.` (and `transforms.A.predicate`, "
                     "`transforms.A.negate`); each predicate alias `P` takes `predicates.P.type` "
                     "and its keys under `predicates.P.`. Converter keys go under "
                     "`key.converter.` / `value.converter.`, and client overrides under "
                     "`consumer.override.`, `producer.override.` and `admin.override.`.\n\n");
    sl_config_defs_to_markdown(sl_sink_connector_config_defs, 0, "Sink connector configuration",
                               out);
    sl_buf_puts(out, "A sink needs exactly one of `topics` and `topics.regex`, and the dead letter "
                     "queue topic may not be one of the topics it consumes.\n\n");
    sl_buf_puts(out, providers);
}
