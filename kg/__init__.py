"""Publish resolved works as an RDF knowledge graph: model, store, SPARQL, exports, CLI."""
