"""The vision capability's views (live view with overlays, evidence gallery, model switch):
they use ``hmi.core.vision``'s public names only."""
