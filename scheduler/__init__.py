"""The session scheduler: a pure library (no Flask, no database)."""
