fn main() {
    // Grading runs on a thread with a large stack: the passes are bounded in depth, and
    // the margin keeps pathological answers from ever reaching the limit.
    let code = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(pseudograde::cli::run)
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or(2);
    std::process::exit(code);
}
