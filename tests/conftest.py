"""Core test fixtures come from careteam.testing (a pytest11 plugin); helpers live there too."""
