-- Which captures are unreliable because of data loss, and what they hide: per capture with a
-- data-loss marker, how many markers and lost events, over what span, and what rests on it: the
-- victims and findings, and the findings whose level the loss lowered.
SELECT
  capture_id,
  path,
  family,
  coalesce(release, 'unknown') AS kernel_release,
  data_loss,
  lost_events,
  span_ns / 1e9 AS span_s,
  victims,
  findings,
  findings_lowered
FROM captures
WHERE data_loss > 0
ORDER BY data_loss DESC, capture_id
