"""Table models over services, one per list screen."""
