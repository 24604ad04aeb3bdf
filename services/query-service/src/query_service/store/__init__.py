"""Implementations of the read model port (`query_service.read_model`): `mongo`, the service's own, and
`memory`, for tests. Another store is one more package here and a line in the composition root."""
