//! Reading an answer: a file or standard input, refused with a clear reason when it is
//! not text a student could have written.

use std::io::Read;

/// Answers larger than this are refused: no exam answer is a megabyte long, and the
/// limit keeps every later pass fast.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

#[derive(Debug)]
pub enum ReadError {
    Io(String),
    Empty,
    Binary,
    TooLarge(usize),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read it: {e}"),
            ReadError::Empty => write!(f, "the answer is empty"),
            ReadError::Binary => write!(
                f,
                "the file is binary, not text (it holds NUL bytes or is not UTF-8)"
            ),
            ReadError::TooLarge(n) => write!(
                f,
                "the answer is {:.1} MB; answers larger than {} KiB are refused",
                *n as f64 / 1e6,
                MAX_ANSWER_BYTES / 1024
            ),
        }
    }
}

/// Checks the bytes of an answer and decodes them.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    let text = String::from_utf8(bytes).map_err(|_| ReadError::Binary)?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(text)
}

/// Reads an answer from a path, or from standard input for `-`.
pub fn read(path: &str) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    let result = if path == "-" {
        std::io::stdin()
            .take(MAX_ANSWER_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map(|_| ())
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_ANSWER_BYTES as u64 + 1).read_to_end(&mut bytes))
            .map(|_| ())
    };
    result.map_err(|e| ReadError::Io(e.to_string()))?;
    decode(bytes)
}
