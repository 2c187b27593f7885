//! The CAT-style fuzzy match score and an exact top-k retrieval index.
