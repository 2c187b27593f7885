//! Extractive summarization: sentence ranking and digest building.
