"""What a token may be: signed with an asymmetric algorithm (never `none`, never a shared secret), and
typed as an access token."""

ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"})
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt", "jwt"})
"""RFC 9068 asks for `at+jwt`; common identity providers (Keycloak, Auth0, Entra ID) write `JWT`."""
