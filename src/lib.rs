//! `pseudograde`: grades pseudocode answers to deep-learning code questions against a
//! rubric, by what the code means. See ARCHITECTURE.md for the pipeline.

pub mod agree;
pub mod analysis;
pub mod batch;
pub mod checks;
pub mod cli;
pub mod docs;
pub mod exec;
pub mod fixtures;
pub mod grade;
pub mod ir;
pub mod lints;
pub mod msg;
pub mod normalize;
pub mod report;
pub mod rubric;
pub mod source;
pub mod syntax;

/// Writes a file so that a reader sees either the old or the new content, never a torn
/// one: the bytes go to a temporary file beside it, which is then renamed over it.
pub fn atomic_write(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
