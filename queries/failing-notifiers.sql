-- Which mmu notifiers fail most: per notifier instance, the victims whose mm called it, its start
-- callbacks and how many failed, the victims with a failure and their share, and the starts it
-- never ended (leaks), most failures first.
SELECT
  notifier,
  count(*) AS victims,
  sum(starts) AS start_calls,
  sum(starts_failed) AS failed_starts,
  sum(CASE WHEN starts_failed > 0 THEN 1 ELSE 0 END) AS victims_with_failures,
  sum(CASE WHEN starts_failed > 0 THEN 1 ELSE 0 END) / count(*) AS failure_rate,
  sum(unended) AS unended_starts
FROM notifier_calls
WHERE scope = 'instance'
GROUP BY notifier
ORDER BY failed_starts DESC, notifier
