"""Slow work off the UI thread: QRunnable jobs with progress, cancel and Chinese errors."""
