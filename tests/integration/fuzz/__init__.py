"""The HTTP edges of the services under hostile input, and the external fuzzer against their OpenAPI."""
