"""Evidence collector tests."""
