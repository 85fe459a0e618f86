"""Everything that holds or fetches gpwatch data. Never imports tui or textual."""
