"""The gpwatch Textual app; imports adapters, never the reverse."""
