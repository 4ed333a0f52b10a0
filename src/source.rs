//! Reading an answer: a file or standard input, refused with a clear reason when it is
//! not text a student could have written.

use crate::msg::{Msg, io_error, msg};
use std::io::Read;

/// Answers larger than this are refused: no exam answer is a megabyte long, and the
/// limit keeps every later pass fast.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Empty,
    Binary,
    TooLarge(usize),
}

impl ReadError {
    pub fn message(&self) -> Msg {
        match self {
            ReadError::Io(e) => {
                let why = io_error(e);
                let (en, es) = (&why.en, &why.es);
                msg!("cannot read it: {en}", "no se puede leer: {es}")
            }
            ReadError::Empty => msg!("the answer is empty", "la respuesta está vacía"),
            ReadError::Binary => msg!(
                "the file is binary, not text (it holds NUL bytes or is not UTF-8)",
                "el archivo es binario, no texto (contiene bytes NUL o no es UTF-8)"
            ),
            ReadError::TooLarge(n) => {
                let megabytes = *n as f64 / 1e6;
                let limit_kib = MAX_ANSWER_BYTES / 1024;
                msg!(
                    "the answer is {megabytes:.1} MB; answers larger than {limit_kib} KiB are refused",
                    "la respuesta ocupa {megabytes:.1} MB; se rechazan las respuestas de más de {limit_kib} KiB"
                )
            }
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
    result.map_err(ReadError::Io)?;
    decode(bytes)
}
