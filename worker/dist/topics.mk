# worker/dist: internal topics (config/status records, klog, murmur2, creation) — owned by the topics engineer.
