"""Conversation specs (YAML) and the small named hooks they call."""
