# plugins/redis_sink: redis_sink.so
