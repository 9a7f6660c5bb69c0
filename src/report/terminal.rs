//! Terminal summary (in progress).
