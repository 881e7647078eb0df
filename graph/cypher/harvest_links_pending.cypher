// Whether a successful run of the portal changed datasets that have not been linked to life events since.
RETURN EXISTS {
  MATCH (r:HarvestRun {portal: $portal, status: 'succeeded'})
  WHERE r.linkedAt IS NULL AND coalesce(r.new, 0) + coalesce(r.updated, 0) + coalesce(r.withdrawn, 0) > 0
} AS pending
