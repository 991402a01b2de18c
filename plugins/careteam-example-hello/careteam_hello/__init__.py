"""The CareTeam plugin tutorial's example plugin ("hello"): kind words inside a care circle."""
