# plugins/clickhouse_sink: clickhouse_sink.so
