"""Home therapy programmes for CareTeam (the plugin "therapy")."""
