// Creates or updates datasets (properties only; links follow). A withdrawn dataset keeps the moment it was first
// seen withdrawn; an active one has none.
UNWIND $rows AS row
MERGE (d:Dataset {id: row.id})
SET d += row.props,
    d.withdrawnAt = CASE
      WHEN row.props.state = 'withdrawn' THEN coalesce(d.withdrawnAt, row.props.harvestedAt)
      ELSE null
    END
