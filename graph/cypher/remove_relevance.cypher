// Removes suggested links the linker no longer finds evidence for; reviewed links ('approved', 'rejected') stay.
UNWIND $rows AS row
MATCH (d:Dataset {id: row.dataset})-[r:RELEVANT_TO]->(e:LifeEvent {id: row.event})
WHERE r.status = 'suggested'
DELETE r
