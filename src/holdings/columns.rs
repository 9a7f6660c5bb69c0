//! Header recognition (in progress).
