//! Case files: RON, atomic save with a backup, errors with line and column.
