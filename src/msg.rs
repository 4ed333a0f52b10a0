//! Messages in the two languages the tool speaks. Rubric texts are [`Msg`] values read
//! from the rubric; the tool's own messages are written next to the code that prints
//! them with [`tr!`] (one language, chosen now) or [`msg!`] (both, chosen when printed),
//! so a message and its translation are never apart.

use serde::Deserialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Msg {
    pub en: String,
    pub es: String,
}

impl Msg {
    pub fn new(en: impl Into<String>, es: impl Into<String>) -> Msg {
        Msg {
            en: en.into(),
            es: es.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Es => &self.es,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// The language of the user's locale. The first of `LC_ALL`, `LC_MESSAGES` and
    /// `LANG` that is set and not empty decides, the order in which POSIX programs
    /// consult them.
    pub fn from_env() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty());
        Lang::from_locale(locale.as_deref())
    }

    /// A Spanish locale (`es`, `es_ES.UTF-8`, `es-MX`) gives Spanish; any other locale,
    /// `C` and `POSIX` included, or none, gives English.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        let Some(locale) = locale else {
            return Lang::En;
        };
        let language = locale.split(['_', '-', '.', '@']).next().unwrap_or("");
        if language.eq_ignore_ascii_case("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }
}

/// A message in one language: `tr!(lang, "english {x}", "español {x}")`. Both texts are
/// format strings that may name variables in scope.
macro_rules! tr {
    ($lang:expr, $en:literal, $es:literal $(,)?) => {
        match $lang {
            $crate::msg::Lang::En => format!($en),
            $crate::msg::Lang::Es => format!($es),
        }
    };
}
pub(crate) use tr;

/// A message in both languages, for a value that is printed later in a language not
/// known yet: `msg!("english {x}", "español {x}")`.
macro_rules! msg {
    ($en:literal, $es:literal $(,)?) => {
        $crate::msg::Msg::new(format!($en), format!($es))
    };
}
pub(crate) use msg;

/// Why a file could not be read or written. The system's own text is English, so the
/// common kinds are said in both languages and the rest keep the system's words.
pub fn io_error(e: &std::io::Error) -> Msg {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => msg!("no such file or folder", "no existe ese archivo o carpeta"),
        ErrorKind::PermissionDenied => msg!("permission denied", "permiso denegado"),
        ErrorKind::IsADirectory => msg!(
            "it is a folder, not a file",
            "es una carpeta, no un archivo"
        ),
        ErrorKind::NotADirectory => msg!(
            "a part of the path is not a folder",
            "una parte de la ruta no es una carpeta"
        ),
        ErrorKind::InvalidData => msg!("it is not UTF-8 text", "no es texto UTF-8"),
        _ => msg!("{e}", "{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_locales_give_spanish_and_others_english() {
        for spanish in [
            "es",
            "es_ES.UTF-8",
            "es_MX",
            "es-419",
            "ES_es",
            "es_ES@euro",
        ] {
            assert_eq!(Lang::from_locale(Some(spanish)), Lang::Es, "{spanish}");
        }
        for other in ["C", "POSIX", "C.UTF-8", "en_US.UTF-8", "et_EE", "eus", ""] {
            assert_eq!(Lang::from_locale(Some(other)), Lang::En, "{other}");
        }
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn tr_formats_only_the_chosen_language() {
        let file = "q9.py";
        assert_eq!(
            tr!(Lang::Es, "{file}: empty", "{file}: vacía"),
            "q9.py: vacía"
        );
        assert_eq!(
            tr!(Lang::En, "{file}: empty", "{file}: vacía"),
            "q9.py: empty"
        );
        let both = msg!("{file}: empty", "{file}: vacía");
        assert_eq!(both.get(Lang::Es), "q9.py: vacía");
    }

    #[test]
    fn common_io_errors_are_said_in_spanish() {
        let missing = std::fs::read("/no/such/pseudograde/file").unwrap_err();
        assert_eq!(
            io_error(&missing).get(Lang::Es),
            "no existe ese archivo o carpeta"
        );
    }
}
