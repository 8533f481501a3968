"""The domain: plain Python rules of the work, no Qt and no SQL."""
