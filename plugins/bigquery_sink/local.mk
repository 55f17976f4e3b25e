# plugins/bigquery_sink: bigquery_sink.so
