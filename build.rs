//! Build script: a fingerprint of the source code, so that the on-disk list cache
//! (src/cache.rs) is never read by a build whose parsing or indexing may differ from the
//! build that wrote it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.push(PathBuf::from("Cargo.lock"));
    files.sort();
    let mut hasher = DefaultHasher::new();
    for f in &files {
        f.hash(&mut hasher);
        std::fs::read(f).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo:rustc-env=HOLDSCREEN_SOURCE_FINGERPRINT={:016x}",
        hasher.finish()
    );
}
