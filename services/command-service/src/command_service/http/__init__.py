"""The HTTP edge: FastAPI routes, problem details, correlation ids."""
