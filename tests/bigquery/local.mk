# tests/bigquery: the BigQuery REST test double
