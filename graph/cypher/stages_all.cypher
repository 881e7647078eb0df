// Every life stage, in road order.
MATCH (st:LifeStage)
RETURN st {.*} AS props
ORDER BY st.order, st.id
