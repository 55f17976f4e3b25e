# tests/bigquery: the BigQuery REST test double (bq_test_server.py, a Python stand-in for BigQuery's
# REST API and Google's token endpoint, used by the BigQuery sink's tests) and its self-test.
TESTS += tests/bigquery/test_bq_server.sh
EXTRA_DIST += tests/bigquery/bq_test_server.py \
	tests/bigquery/test_bq_server.py \
	tests/bigquery/test_bq_server.sh \
	tests/bigquery/README.md
