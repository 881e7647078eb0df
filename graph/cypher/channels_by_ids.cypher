// Channels (in-person, online, …) by id.
UNWIND $ids AS id
MATCH (c:Channel {id: id})
RETURN c {.*} AS props
