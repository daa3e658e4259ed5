"""Reference problems with known answers, used to check every search agent."""
