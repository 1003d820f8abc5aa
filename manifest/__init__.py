"""The app manifests shipped with pmobot: Slack (YAML), Teams (JSON and icons)."""
