//! Paths (in progress).
