"""Plan → reviewer views: the manifest summary, the pull-request review and Mermaid graphs (pure, no I/O)."""
