"""What the user wrote: loading, validating and checking blueprints."""
