"""Settings: ``base`` (every value from the environment) and ``test`` (the suite)."""
