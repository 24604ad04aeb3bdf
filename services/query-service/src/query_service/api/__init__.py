"""The HTTP layer: routes, request context, rendering with cache validators, problem answers."""
