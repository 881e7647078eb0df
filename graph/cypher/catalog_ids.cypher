// Ids of every catalog node, by label, so catalog files may refer to what the graph already holds.
MATCH (n)
WHERE n:LifeStage OR n:LifeEvent OR n:Agency OR n:Evidence OR n:Criterion OR n:Service OR n:Bundle
RETURN [l IN labels(n) WHERE l IN ['LifeStage', 'LifeEvent', 'Agency', 'Evidence', 'Criterion', 'Service', 'Bundle']][0]
       AS label, collect(n.id) AS ids
