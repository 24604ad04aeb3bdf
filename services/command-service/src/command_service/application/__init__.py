"""Use cases: the mediator, its pipeline behaviours and one handler per command."""
