// The names and descriptions of every life event, for the linker's term lists.
MATCH (e:LifeEvent)
RETURN e.id AS id, e.nameZh AS nameZh, e.nameEn AS nameEn, e.descriptionZh AS descriptionZh,
       e.descriptionEn AS descriptionEn
ORDER BY e.id
