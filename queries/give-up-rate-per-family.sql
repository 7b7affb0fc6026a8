-- How often the oom_reaper gives up, per kernel family: among the victims it worked on, those it
-- gave up on (MMF_OOM_SKIP set after its last attempt), the rate, and the mean attempts per victim.
SELECT
  family,
  count(*) AS worked_on,
  sum(gave_up) AS gave_up_victims,
  sum(gave_up) / count(*) AS give_up_rate,
  avg(attempts) AS mean_attempts
FROM victims
WHERE reaper_worked = 1
GROUP BY family
ORDER BY family
