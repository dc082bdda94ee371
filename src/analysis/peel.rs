//! Peel chains (in progress).
