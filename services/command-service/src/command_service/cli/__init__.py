"""The operator command-line tools (`python -m command_service dead-letters ...`)."""
