//! A refusal as a sentence for the app's user: [`error_message`] hands a `NeedbridgeError`'s
//! data to the core's `Error::user_message` (core/src/message.rs: Chinese by default or
//! English, the labels of states, the names of entities and of the fields people fill in;
//! never the refused value, an id or personal data), so an app may show it as it is. An app
//! with its own wording switches on the error's kind and fields instead.

use crate::records::NeedbridgeError;

/// The language of a sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum Language {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// A sentence for the app's user saying what went wrong and what to do, in `language`
/// (Chinese when left out), built from the error's data: the entity's name, the refused
/// field's name (never its value), a state's label, a limit. For `Invalid` the Chinese names
/// the field; the English adds the core's reason. Kotlin: `errorMessage(e)` or
/// `errorMessage(e, Language.EN)`; Swift: `errorMessage(error: e)`.
#[uniffi::export(default(language = None))]
pub fn error_message(error: NeedbridgeError, language: Option<Language>) -> String {
    let language = match language.unwrap_or_default() {
        Language::Zh => needbridge::export::Language::Zh,
        Language::En => needbridge::export::Language::En,
    };
    error.to_core_error().user_message(language)
}
