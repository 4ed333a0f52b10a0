//! Messages in the two languages the tool speaks.

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
