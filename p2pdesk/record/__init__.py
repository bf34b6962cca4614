"""The call record as a document: PDF rendering, signing, verification."""
