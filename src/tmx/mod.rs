//! TMX 1.4b: the model, a streaming reader, a writer, and the operations on memories.
