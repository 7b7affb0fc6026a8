-- How fast victims are reaped per kernel family: for each step after the selection (oom_reaper
-- woken, first attempt, MMF_OOM_SKIP, memory released), the victims that reached it and the
-- median, p90 and p99 of the time to it, in seconds. Percentiles are discrete (the value at rank
-- ceil(q*n), SQL's PERCENTILE_DISC), so every engine gives the same exact value.
-- Engine variant: DuckDB (quantile_disc); ClickHouse 18.16 has no exact PERCENTILE_DISC, see
-- reap-latency-per-family.clickhouse.sql, which ranks the sorted values itself.
SELECT family, step, victims, p50_s, p90_s, p99_s FROM (
  SELECT family, 'wake' AS step, count(*) AS victims, quantile_disc(wake_ns / 1e9, 0.5) AS p50_s, quantile_disc(wake_ns / 1e9, 0.9) AS p90_s, quantile_disc(wake_ns / 1e9, 0.99) AS p99_s
  FROM victims WHERE wake_ns IS NOT NULL GROUP BY family
  UNION ALL
  SELECT family, 'first_attempt' AS step, count(*) AS victims, quantile_disc(first_attempt_ns / 1e9, 0.5) AS p50_s, quantile_disc(first_attempt_ns / 1e9, 0.9) AS p90_s, quantile_disc(first_attempt_ns / 1e9, 0.99) AS p99_s
  FROM victims WHERE first_attempt_ns IS NOT NULL GROUP BY family
  UNION ALL
  SELECT family, 'oom_skip' AS step, count(*) AS victims, quantile_disc(oom_skip_ns / 1e9, 0.5) AS p50_s, quantile_disc(oom_skip_ns / 1e9, 0.9) AS p90_s, quantile_disc(oom_skip_ns / 1e9, 0.99) AS p99_s
  FROM victims WHERE oom_skip_ns IS NOT NULL GROUP BY family
  UNION ALL
  SELECT family, 'release' AS step, count(*) AS victims, quantile_disc(release_ns / 1e9, 0.5) AS p50_s, quantile_disc(release_ns / 1e9, 0.9) AS p90_s, quantile_disc(release_ns / 1e9, 0.99) AS p99_s
  FROM victims WHERE release_ns IS NOT NULL GROUP BY family
)
ORDER BY family, step
