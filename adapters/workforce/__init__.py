"""Workforce figures: the series model, bundled figures and (later) NHS Digital imports."""
