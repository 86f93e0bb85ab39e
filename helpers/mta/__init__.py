"""Real MTAs against the lab."""
