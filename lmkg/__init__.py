"""LungMet KG: command-line entry point and shared settings."""
