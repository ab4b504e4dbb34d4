"""Curated sources, their transforms to RDF, and the build that makes a release."""
