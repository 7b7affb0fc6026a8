-- ClickHouse 18.16 variant of reap-latency-per-family.sql (same rows): its quantileExact takes
-- rank floor(q*n)+1, not SQL's PERCENTILE_DISC rank ceil(q*n), so the values are sorted and that
-- rank is picked. Exact at any size (groupArray holds one family's values per step).
SELECT family, step, victims, p50_s, p90_s, p99_s FROM (
  SELECT family, step, count() AS victims, arraySort(groupArray(s)) AS v,
    v[toUInt64(greatest(1, ceil(victims * 0.5)))] AS p50_s,
    v[toUInt64(greatest(1, ceil(victims * 0.9)))] AS p90_s,
    v[toUInt64(greatest(1, ceil(victims * 0.99)))] AS p99_s
  FROM (
    SELECT family, arrayJoin([
      ('wake', wake_ns), ('first_attempt', first_attempt_ns), ('oom_skip', oom_skip_ns), ('release', release_ns)
    ]) AS p, p.1 AS step, assumeNotNull(p.2) / 1e9 AS s
    FROM victims
    WHERE p.2 IS NOT NULL
  )
  GROUP BY family, step
)
ORDER BY family, step
