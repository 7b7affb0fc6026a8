-- Where the OOM kills happen: victims per OOM domain (global, or the memory cgroup) and kernel
-- family, in how many captures, and how many of them the reaper gave up on or were selected
-- prematurely.
SELECT
  family,
  domain,
  count(*) AS victims,
  count(DISTINCT capture_id) AS captures,
  sum(gave_up) AS gave_up_victims,
  sum(premature) AS premature_victims
FROM victims
GROUP BY family, domain
ORDER BY victims DESC, family, domain
