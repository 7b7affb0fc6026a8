-- Which kernel releases select victims prematurely, and how often: per release the victims, those
-- selected while an earlier victim of their OOM domain was still there (later_selections), those
-- the model calls premature (PVS-PREMATURE), and the premature rate over all victims and over the
-- later selections. (Output names differ from column names: ClickHouse lets an alias shadow a
-- column everywhere in the query.)
SELECT
  coalesce(release, 'unknown') AS kernel_release,
  count(*) AS victims,
  sum(later_selection) AS later_selections,
  sum(premature) AS premature_victims,
  sum(premature) / count(*) AS premature_rate,
  CASE WHEN sum(later_selection) = 0 THEN NULL ELSE sum(premature) / sum(later_selection) END AS premature_per_later
FROM victims
GROUP BY release
ORDER BY kernel_release
