/*
 * defs.c — the worker's and the connector framework's config-def tables: Java's WorkerConfig,
 * DistributedConfig, StandaloneConfig, ConnectorConfig and SinkConnectorConfig keys with their
 * defaults, groups, orders and documentation. Data only: it must never contain logic.
 */
#include "config/config.h"

#define END                                                                                        \
    {                                                                                              \
        .name = NULL                                                                               \
    }

static const char *const connect_protocols[] = {"eager", "compatible", "sessioned", NULL};
static const char *const eos_support[] = {"disabled", "preparing", "enabled", NULL};
static const char *const plugin_discovery[] = {"only_scan", "hybrid_warn", "hybrid_fail",
                                               "service_load", NULL};
static const char *const reload_actions[] = {"none", "restart", NULL};
static const char *const tolerances[] = {"none", "all", NULL};

#define CONVERTER_DOC(what)                                                                        \
    "Converter class used to convert between Kafka Connect format and the serialized form that "   \
    "is written to Kafka. This controls the format of the " what                                   \
    " in messages written to or read "                                                             \
    "from Kafka, and since this is independent of connectors it allows any connector to work "     \
    "with any serialization format. Examples of common formats include JSON and Avro."
#define HEADER_CONVERTER_DOC                                                                       \
    "HeaderConverter class used to convert between Kafka Connect format and the serialized form "  \
    "that is written to Kafka. This controls the format of the header values in messages written " \
    "to or read from Kafka, and since this is independent of connectors it allows any connector "  \
    "to work with any serialization format. Examples of common formats include JSON and Avro. By " \
    "default, the SimpleHeaderConverter is used to serialize header values to strings and "        \
    "deserialize them by inferring the schemas."

#define W(n, t, f, def, imp, doc)                                                                  \
    {                                                                                              \
        .name = (n), .type = (t), .flags = (f), .default_value = (def), .importance = (imp),       \
        .documentation = (doc)                                                                     \
    }
#define NULLDEF SLUICE_CFG_F_NULL_DEFAULT
#define REQ     SLUICE_CFG_F_REQUIRED
#define HIGH    SLUICE_IMPORTANCE_HIGH
#define MEDIUM  SLUICE_IMPORTANCE_MEDIUM
#define LOW     SLUICE_IMPORTANCE_LOW

const struct sluice_config_def sl_worker_config_defs[] = {
    W("bootstrap.servers", SLUICE_CFG_LIST, 0, "localhost:9092", HIGH,
      "A list of host/port pairs to use for establishing the initial connection to the Kafka "
      "cluster. The client will make use of all servers irrespective of which servers are "
      "specified here for bootstrapping; this list only impacts the initial hosts used to "
      "discover the full set of servers. This list should be in the form "
      "<code>host1:port1,host2:port2,...</code>."),
    W("group.id", SLUICE_CFG_STRING, NULLDEF, NULL, HIGH,
      "A unique string that identifies the Connect cluster group this worker belongs to. "
      "Required in distributed mode."),
    W("config.storage.topic", SLUICE_CFG_STRING, NULLDEF, NULL, HIGH,
      "The name of the Kafka topic where connector configurations are stored. Required in "
      "distributed mode."),
    W("offset.storage.topic", SLUICE_CFG_STRING, NULLDEF, NULL, HIGH,
      "The name of the Kafka topic where source connector offsets are stored. Required in "
      "distributed mode."),
    W("status.storage.topic", SLUICE_CFG_STRING, NULLDEF, NULL, HIGH,
      "The name of the Kafka topic where connector and task status are stored. Required in "
      "distributed mode."),
    W("config.storage.replication.factor", SL_CFG_SHORT, 0, "3", LOW,
      "Replication factor used when creating the configuration storage topic"),
    W("offset.storage.replication.factor", SL_CFG_SHORT, 0, "3", LOW,
      "Replication factor used when creating the offset storage topic"),
    W("offset.storage.partitions", SLUICE_CFG_INT, 0, "25", LOW,
      "The number of partitions used when creating the offset storage topic"),
    W("status.storage.replication.factor", SL_CFG_SHORT, 0, "3", LOW,
      "Replication factor used when creating the status storage topic"),
    W("status.storage.partitions", SLUICE_CFG_INT, 0, "5", LOW,
      "The number of partitions used when creating the status storage topic"),
    W("key.converter", SLUICE_CFG_CLASS, REQ, NULL, HIGH, CONVERTER_DOC("keys")),
    W("value.converter", SLUICE_CFG_CLASS, REQ, NULL, HIGH, CONVERTER_DOC("values")),
    W("header.converter", SLUICE_CFG_CLASS, 0,
      "org.apache.kafka.connect.storage.SimpleHeaderConverter", LOW, HEADER_CONVERTER_DOC),
    W("plugin.path", SLUICE_CFG_LIST, NULLDEF, NULL, LOW,
      "List of paths separated by commas (,) that contain plugins: directories holding sluice "
      "plugin .so files, or the .so files themselves. When unset, the installed plugin directory "
      "is scanned. Config provider variables are not allowed in this key."),
    {.name = "plugin.discovery",
     .type = SLUICE_CFG_STRING,
     .default_value = "hybrid_warn",
     .importance = LOW,
     .valid_values = plugin_discovery,
     .documentation = "Method to use to discover plugins. Accepted for compatibility with Java "
                      "Connect; sluice always scans plugin.path."},
    W("listeners", SLUICE_CFG_LIST, 0, "http://:8083", LOW,
      "List of comma-separated URIs the REST API will listen on. The supported protocols are "
      "HTTP and HTTPS. Specify hostname as 0.0.0.0 to bind to all interfaces. Leave hostname "
      "empty to bind to default interface. Examples of legal listener lists: "
      "HTTP://myhost:8083,HTTPS://myhost:8084"),
    W("rest.advertised.host.name", SLUICE_CFG_STRING, NULLDEF, NULL, LOW,
      "If this is set, this is the hostname that will be given out to other workers to connect "
      "to."),
    W("rest.advertised.port", SLUICE_CFG_INT, NULLDEF, NULL, LOW,
      "If this is set, this is the port that will be given out to other workers to connect to."),
    W("rest.advertised.listener", SLUICE_CFG_STRING, NULLDEF, NULL, LOW,
      "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use."),
    W("access.control.allow.origin", SLUICE_CFG_STRING, 0, "", LOW,
      "Value to set the Access-Control-Allow-Origin header to for REST API requests.To enable "
      "cross origin access, set this to the domain of the application that should be permitted "
      "to access the API, or '*' to allow access from any domain. The default value only allows "
      "access from the domain of the REST API."),
    W("access.control.allow.methods", SLUICE_CFG_STRING, 0, "", LOW,
      "Sets the methods supported for cross origin requests by setting the "
      "Access-Control-Allow-Methods header. The default value of the Access-Control-Allow-Methods "
      "header allows cross origin requests for GET, POST and HEAD."),
    W("admin.listeners", SLUICE_CFG_LIST, NULLDEF, NULL, LOW,
      "List of comma-separated URIs the Admin REST API will listen on. The supported protocols "
      "are HTTP and HTTPS. An empty or blank string will disable this feature. The default "
      "behavior is to use the regular listener (specified by the 'listeners' property)."),
    W("heartbeat.interval.ms", SLUICE_CFG_INT, 0, "3000", HIGH,
      "The expected time between heartbeats to the group coordinator when using Kafka's group "
      "management facilities. Heartbeats are used to ensure that the worker's session stays "
      "active and to facilitate rebalancing when new members join or leave the group. The value "
      "must be set lower than <code>session.timeout.ms</code>, but typically should be set no "
      "higher than 1/3 of that value. It can be adjusted even lower to control the expected time "
      "for normal rebalances."),
    W("session.timeout.ms", SLUICE_CFG_INT, 0, "10000", HIGH,
      "The timeout used to detect worker failures. The worker sends periodic heartbeats to "
      "indicate its liveness to the broker. If no heartbeats are received by the broker before "
      "the expiration of this session timeout, then the broker will remove the worker from the "
      "group and initiate a rebalance. Note that the value must be in the allowable range as "
      "configured in the broker configuration by <code>group.min.session.timeout.ms</code> and "
      "<code>group.max.session.timeout.ms</code>."),
    W("rebalance.timeout.ms", SLUICE_CFG_INT, 0, "60000", HIGH,
      "The maximum allowed time for each worker to join the group once a rebalance has begun. "
      "This is basically a limit on the amount of time needed for all tasks to flush any pending "
      "data and commit offsets. If the timeout is exceeded, then the worker will be removed from "
      "the group, which will cause offset commit failures."),
    W("worker.sync.timeout.ms", SLUICE_CFG_INT, 0, "3000", MEDIUM,
      "When the worker is out of sync with other workers and needs to resynchronize "
      "configurations, wait up to this amount of time before giving up, leaving the group, and "
      "waiting a backoff period before rejoining."),
    W("worker.unsync.backoff.ms", SLUICE_CFG_INT, 0, "300000", MEDIUM,
      "When the worker is out of sync with other workers and  fails to catch up within "
      "worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining."),
    {.name = "connect.protocol",
     .type = SLUICE_CFG_STRING,
     .default_value = "sessioned",
     .importance = LOW,
     .valid_values = connect_protocols,
     .documentation = "Compatibility mode for Kafka Connect Protocol"},
    {.name = "scheduled.rebalance.max.delay.ms",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "300000",
     .importance = LOW,
     .min = 0,
     .max = 2147483647.0,
     .documentation = "The maximum delay that is scheduled in order to wait for the return of one "
                      "or more departed workers before rebalancing and reassigning their "
                      "connectors and tasks to the group. During this period the connectors and "
                      "tasks of the departed workers remain unassigned"},
    W("offset.flush.interval.ms", SLUICE_CFG_LONG, 0, "60000", LOW,
      "Interval at which to try committing offsets for tasks."),
    W("offset.flush.timeout.ms", SLUICE_CFG_LONG, 0, "5000", LOW,
      "Maximum number of milliseconds to wait for records to flush and partition offset data to "
      "be committed to offset storage before cancelling the process and restoring the offset "
      "data to be committed in a future attempt. This property has no effect for source "
      "connectors running with exactly-once support."),
    W("task.shutdown.graceful.timeout.ms", SLUICE_CFG_LONG, 0, "5000", LOW,
      "Amount of time to wait for tasks to shutdown gracefully. This is the total amount of "
      "time, not per task. All task have shutdown triggered, then they are waited on "
      "sequentially."),
    W("config.providers", SLUICE_CFG_LIST, 0, "", LOW,
      "Comma-separated names of <code>ConfigProvider</code> classes, loaded and used in the "
      "order specified. Each provider X is configured with config.providers.X.class (sluice "
      "ships org.apache.kafka.common.config.provider.EnvVarConfigProvider, FileConfigProvider and "
      "DirectoryConfigProvider) and config.providers.X.param.*; connector values then use "
      "${X:key} or ${X:path:key}."),
    W("connector.client.config.override.policy", SLUICE_CFG_STRING, 0, "All", MEDIUM,
      "Class name or alias of implementation of <code>ConnectorClientConfigOverridePolicy</code>. "
      "Defines what client configurations can be overridden by the connector. The default "
      "implementation is `All`, meaning connector configurations can override all client "
      "properties. The other possible policies in the framework include `None` to disallow "
      "connectors from overriding client properties, and `Principal` to allow connectors to "
      "override only client principals."),
    W("topic.creation.enable", SLUICE_CFG_BOOLEAN, 0, "true", LOW,
      "Whether to allow automatic creation of topics used by source connectors, when source "
      "connectors are configured with `topic.creation.` properties. Each task will use an admin "
      "client to create its topics and will not depend on the Kafka brokers to create topics "
      "automatically."),
    W("topic.tracking.enable", SLUICE_CFG_BOOLEAN, 0, "true", LOW,
      "Enable tracking the set of active topics per connector during runtime."),
    W("topic.tracking.allow.reset", SLUICE_CFG_BOOLEAN, 0, "true", LOW,
      "If set to true, it allows user requests to reset the set of active topics per connector."),
    {.name = "inter.worker.key.ttl.ms",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "3600000",
     .importance = LOW,
     .min = 0,
     .max = 2147483647.0,
     .documentation = "The TTL of generated session keys used for internal request validation "
                      "(in milliseconds)"},
    W("inter.worker.key.generation.algorithm", SLUICE_CFG_STRING, 0, "HmacSHA256", LOW,
      "The algorithm to use for generating internal request keys."),
    W("inter.worker.signature.algorithm", SLUICE_CFG_STRING, 0, "HmacSHA256", LOW,
      "The algorithm used to sign internal requests."),
    W("inter.worker.verification.algorithms", SLUICE_CFG_LIST, 0, "HmacSHA256", LOW,
      "A list of permitted algorithms for verifying internal requests, which must include the "
      "algorithm used for the inter.worker.signature.algorithm property."),
    W("inter.worker.key.size", SLUICE_CFG_INT, NULLDEF, NULL, LOW,
      "The size of the key to use for signing internal requests, in bits. If null, the default "
      "key size for the key generation algorithm will be used."),
    {.name = "exactly.once.source.support",
     .type = SLUICE_CFG_STRING,
     .default_value = "disabled",
     .importance = HIGH,
     .valid_values = eos_support,
     .documentation = "Whether to enable exactly-once support for source connectors in the "
                      "cluster by using transactions to write source records and their source "
                      "offsets, and by proactively fencing out old task generations before "
                      "bringing up new ones."},
    W("client.id", SLUICE_CFG_STRING, 0, "", LOW,
      "An id string to pass to the server when making requests. The purpose of this is to be "
      "able to track the source of requests beyond just ip/port by allowing a logical "
      "application name to be included in server-side request logging."),
    W("metadata.max.age.ms", SLUICE_CFG_LONG, 0, "300000", LOW,
      "The period of time in milliseconds after which we force a refresh of metadata even if we "
      "haven't seen any partition leadership changes to proactively discover any new brokers or "
      "partitions."),
    W("request.timeout.ms", SLUICE_CFG_INT, 0, "40000", MEDIUM,
      "The configuration controls the maximum amount of time the client will wait for the "
      "response of a request. If the response is not received before the timeout elapses the "
      "client will resend the request if necessary or fail the request if retries are "
      "exhausted."),
    /* The common client settings DistributedConfig adds for the worker's group membership and
     * internal topics (Java's defaults). */
    W("security.protocol", SLUICE_CFG_STRING, 0, "PLAINTEXT", MEDIUM,
      "Protocol used to communicate with brokers. Valid values are: PLAINTEXT, SSL, "
      "SASL_PLAINTEXT, SASL_SSL."),
    W("retry.backoff.ms", SLUICE_CFG_LONG, 0, "100", LOW,
      "The amount of time to wait before attempting to retry a failed request to a given topic "
      "partition. This avoids repeatedly sending requests in a tight loop under some failure "
      "scenarios."),
    W("reconnect.backoff.ms", SLUICE_CFG_LONG, 0, "50", LOW,
      "The base amount of time to wait before attempting to reconnect to a given host. This "
      "avoids repeatedly connecting to a host in a tight loop. This backoff applies to all "
      "connection attempts by the client to a broker."),
    W("reconnect.backoff.max.ms", SLUICE_CFG_LONG, 0, "1000", LOW,
      "The maximum amount of time in milliseconds to wait when reconnecting to a broker that "
      "has repeatedly failed to connect. If provided, the backoff per host will increase "
      "exponentially for each consecutive connection failure, up to this maximum."),
    W("connections.max.idle.ms", SLUICE_CFG_LONG, 0, "540000", MEDIUM,
      "Close idle connections after the number of milliseconds specified by this config."),
    W("receive.buffer.bytes", SLUICE_CFG_INT, 0, "32768", MEDIUM,
      "The size of the TCP receive buffer (SO_RCVBUF) to use when reading data. If the value is "
      "-1, the OS default will be used."),
    W("send.buffer.bytes", SLUICE_CFG_INT, 0, "131072", MEDIUM,
      "The size of the TCP send buffer (SO_SNDBUF) to use when sending data. If the value is -1, "
      "the OS default will be used."),
    W("offset.storage.file.filename", SLUICE_CFG_STRING, NULLDEF, NULL, HIGH,
      "File to store source connector offsets. Required in standalone mode (unless state.dir is "
      "set)."),
    W("state.dir", SLUICE_CFG_STRING, NULLDEF, NULL, MEDIUM,
      "sluice extension: directory for standalone state (connector configs, target states and "
      "source offsets, so a restart resumes where it stopped); default: the directory of "
      "offset.storage.file.filename."),
    W("consumer.", SLUICE_CFG_STRING, SLUICE_CFG_F_PREFIX, NULL, MEDIUM,
      "Kafka consumer settings for sink tasks (consumer.max.poll.records, "
      "consumer.auto.offset.reset, ...); a connector may override them with "
      "consumer.override.*. Keys go to librdkafka, which knows most Java client names; Java-only "
      "keys are ignored. sluice's defaults: queued.max.messages.kbytes=8192 (the "
      "prefetched record bytes per task; librdkafka's is 65536 — the task wakes the fetchers "
      "when it has drained half, so more buys no speed unless half of it is less than a "
      "broker round trip's worth of records, e.g. across regions), "
      "queued.min.messages=10000000 (no count limit, as in Java)."),
    W("producer.", SLUICE_CFG_STRING, SLUICE_CFG_F_PREFIX, NULL, MEDIUM,
      "Kafka producer settings for source tasks and dead letter queues; a connector may "
      "override them with producer.override.*."),
    W("admin.", SLUICE_CFG_STRING, SLUICE_CFG_F_PREFIX, NULL, MEDIUM,
      "Kafka admin client settings (topic creation); a connector may override them with "
      "admin.override.*."),
    END,
};

#define C(n, t, f, def, imp, grp, ord, wid, disp, doc)                                             \
    {                                                                                              \
        .name = (n), .type = (t), .flags = (f), .default_value = (def), .importance = (imp),       \
        .group = (grp), .order_in_group = (ord), .width = (wid), .display_name = (disp),           \
        .documentation = (doc)                                                                     \
    }
#define COMMON "Common"
#define ERRORS "Error Handling"

const struct sluice_config_def sl_connector_config_defs[] = {
    C("name", SLUICE_CFG_STRING, REQ, NULL, HIGH, COMMON, 1, SLUICE_WIDTH_MEDIUM, "Connector name",
      "Globally unique name to use for this connector."),
    C("connector.class", SLUICE_CFG_STRING, REQ, NULL, HIGH, COMMON, 2, SLUICE_WIDTH_LONG,
      "Connector class",
      "Name or alias of the class for this connector. Must be a subclass of "
      "org.apache.kafka.connect.connector.Connector. If the connector is "
      "org.apache.kafka.connect.file.FileStreamSinkConnector, you can either specify this full "
      "name,  or use \"FileStreamSink\" or \"FileStreamSinkConnector\" to make the configuration a "
      "bit shorter"),
    {.name = "tasks.max",
     .type = SLUICE_CFG_INT,
     .flags = SLUICE_CFG_F_HAS_RANGE,
     .default_value = "1",
     .importance = HIGH,
     .group = COMMON,
     .order_in_group = 3,
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Tasks max",
     .min = 1,
     .max = 0,
     .documentation = "Maximum number of tasks to use for this connector."},
    C("tasks.max.enforce", SLUICE_CFG_BOOLEAN, 0, "true", LOW, COMMON, 4, SLUICE_WIDTH_SHORT,
      "Enforce tasks max",
      "(Deprecated) Whether to enforce that the tasks.max property is respected by the "
      "connector. By default, connectors that generate too many tasks will fail, and existing "
      "sets of tasks that exceed the tasks.max property will also be failed. If this property is "
      "set to false, then connectors will be allowed to generate more than the maximum number of "
      "tasks, and existing sets of tasks that exceed the tasks.max property will be allowed to "
      "run. This property is deprecated and will be removed in an upcoming major release."),
    C("key.converter", SLUICE_CFG_CLASS, NULLDEF, NULL, LOW, COMMON, 5, SLUICE_WIDTH_SHORT,
      "Key converter class", CONVERTER_DOC("keys")),
    C("value.converter", SLUICE_CFG_CLASS, NULLDEF, NULL, LOW, COMMON, 6, SLUICE_WIDTH_SHORT,
      "Value converter class", CONVERTER_DOC("values")),
    C("header.converter", SLUICE_CFG_CLASS, NULLDEF, NULL, LOW, COMMON, 7, SLUICE_WIDTH_SHORT,
      "Header converter class", HEADER_CONVERTER_DOC),
    C("transforms", SLUICE_CFG_LIST, 0, "", LOW, "Transforms", 8, SLUICE_WIDTH_LONG, "Transforms",
      "Aliases for the transformations to be applied to records."),
    C("predicates", SLUICE_CFG_LIST, 0, "", LOW, "Predicates", 9, SLUICE_WIDTH_LONG, "Predicates",
      "Aliases for the predicates used by transformations."),
    {.name = "config.action.reload",
     .type = SLUICE_CFG_STRING,
     .default_value = "restart",
     .importance = LOW,
     .group = COMMON,
     .order_in_group = 10,
     .width = SLUICE_WIDTH_MEDIUM,
     .display_name = "Reload Action",
     .valid_values = reload_actions,
     .documentation = "The action that Connect should take on the connector when changes in "
                      "external configuration providers result in a change in the connector's "
                      "configuration properties. A value of 'none' indicates that Connect will do "
                      "nothing. A value of 'restart' indicates that Connect should restart/reload "
                      "the connector with the updated configuration properties.The restart may "
                      "actually be scheduled in the future if the external configuration provider "
                      "indicates that a configuration value will expire in the future."},
    C("errors.retry.timeout", SLUICE_CFG_LONG, 0, "0", MEDIUM, ERRORS, 1, SLUICE_WIDTH_MEDIUM,
      "Retry Timeout for Errors",
      "The maximum duration in milliseconds that a failed operation will be reattempted. The "
      "default is 0, which means no retries will be attempted. Use -1 for infinite retries."),
    C("errors.retry.delay.max.ms", SLUICE_CFG_LONG, 0, "60000", MEDIUM, ERRORS, 2,
      SLUICE_WIDTH_MEDIUM, "Maximum Delay Between Retries for Errors",
      "The maximum duration in milliseconds between consecutive retry attempts. Jitter will be "
      "added to the delay once this limit is reached to prevent thundering herd issues."),
    {.name = "errors.tolerance",
     .type = SLUICE_CFG_STRING,
     .default_value = "none",
     .importance = MEDIUM,
     .group = ERRORS,
     .order_in_group = 3,
     .width = SLUICE_WIDTH_SHORT,
     .display_name = "Error Tolerance",
     .valid_values = tolerances,
     .documentation = "Behavior for tolerating errors during connector operation. 'none' is the "
                      "default value and signals that any error will result in an immediate "
                      "connector task failure; 'all' changes the behavior to skip over "
                      "problematic records."},
    C("errors.log.enable", SLUICE_CFG_BOOLEAN, 0, "false", MEDIUM, ERRORS, 4, SLUICE_WIDTH_SHORT,
      "Log Errors",
      "If true, write each error and the details of the failed operation and problematic record "
      "to the Connect application log. This is 'false' by default, so that only errors that are "
      "not tolerated are reported."),
    C("errors.log.include.messages", SLUICE_CFG_BOOLEAN, 0, "false", MEDIUM, ERRORS, 5,
      SLUICE_WIDTH_SHORT, "Log Error Details",
      "Whether to include in the log the Connect record that resulted in a failure. For sink "
      "records, the topic, partition, offset, and timestamp will be logged. For source records, "
      "the key and value (and their schemas), all headers, and the timestamp, Kafka topic, Kafka "
      "partition, source partition, and source offset will be logged. This is 'false' by "
      "default, which will prevent record keys, values, and headers from being written to log "
      "files."),
    END,
};

const struct sluice_config_def sl_sink_connector_config_defs[] = {
    C("topics", SLUICE_CFG_LIST, 0, "", HIGH, COMMON, 4, SLUICE_WIDTH_LONG, "Topics",
      "List of topics to consume, separated by commas"),
    C("topics.regex", SLUICE_CFG_STRING, 0, "", HIGH, COMMON, 4, SLUICE_WIDTH_LONG, "Topics regex",
      "Regular expression giving topics to consume. Under the hood, the regex is compiled to a "
      "<code>java.util.regex.Pattern</code>. Only one of topics or topics.regex should be "
      "specified."),
    C("errors.deadletterqueue.topic.name", SLUICE_CFG_STRING, 0, "", MEDIUM, ERRORS, 6,
      SLUICE_WIDTH_MEDIUM, "Dead Letter Queue Topic Name",
      "The name of the topic to be used as the dead letter queue (DLQ) for messages that result "
      "in an error when processed by this sink connector, or its transformations or converters. "
      "The topic name is blank by default, which means that no messages are to be recorded in "
      "the DLQ."),
    C("errors.deadletterqueue.topic.replication.factor", SL_CFG_SHORT, 0, "3", MEDIUM, ERRORS, 7,
      SLUICE_WIDTH_MEDIUM, "Dead Letter Queue Topic Replication Factor",
      "Replication factor used to create the dead letter queue topic when it doesn't already "
      "exist."),
    C("errors.deadletterqueue.context.headers.enable", SLUICE_CFG_BOOLEAN, 0, "false", MEDIUM,
      ERRORS, 8, SLUICE_WIDTH_MEDIUM, "Enable Error Context Headers",
      "If true, add headers containing error context to the messages written to the dead letter "
      "queue. To avoid clashing with headers from the original record, all error context header "
      "keys, all error context header keys will start with <code>__connect.errors.</code>"),
    END,
};
