//! A refusal as a sentence for the app's user: [`error_message`] turns a `NeedbridgeError`'s
//! data into Chinese (the default) or English, with the core's labels for states (`已认领`,
//! `Claimed`) and the names of entities and of the fields people fill in. The sentence never
//! holds the refused value, an id or personal data: only what the error's fields say (which
//! are free of them), so an app may show it as it is. An app with its own wording switches on
//! the error's kind and fields instead.

use crate::records::NeedbridgeError;
use needbridge::model::{ClaimStatus, NeedStatus};

/// The language of a sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum Language {
    /// 中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Language {
    /// The half of a `(中文, English)` pair in this language.
    fn pick(self, pair: (&'static str, &'static str)) -> &'static str {
        match self {
            Language::Zh => pair.0,
            Language::En => pair.1,
        }
    }
}

/// An entity's name as the core writes it in errors (`need`, `work_unit`), for people.
fn entity(name: &str) -> (&'static str, &'static str) {
    match name {
        "unit" => ("单位", "unit"),
        "work_unit" => ("机关单位", "work unit"),
        "organisation" => ("企业或社会组织", "organisation"),
        "category" => ("需求分类", "category"),
        "member" => ("党员", "member"),
        "ledger_entry" => ("台账记录", "ledger entry"),
        "resident" => ("居民", "resident"),
        "need" => ("需求", "need"),
        "claim" => ("认领", "claim"),
        "team" => ("志愿服务队", "team"),
        "hours" => ("服务时长记录", "hours record"),
        "activity" => ("活动", "activity"),
        "role" => ("三长职务", "role"),
        "pairing" => ("结对帮扶", "pairing"),
        _ => ("记录", "record"),
    }
}

/// A refused field (the last part of its path: `fulfilment.items[0].count` is `count`) as
/// the form a person filled in names it; `None` for a field people do not fill in.
fn field(path: &str) -> Option<(&'static str, &'static str)> {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = last.split('[').next().unwrap_or(last);
    Some(match last {
        "name" | "contact_name" => ("姓名或名称", "name"),
        "phone" | "contact_phone" => ("手机号码", "phone number"),
        "id_number" => ("身份证号码", "ID number"),
        "address" => ("地址", "address"),
        "title" => ("标题", "title"),
        "description" => ("描述", "description"),
        "commitment" => ("服务承诺", "service commitment"),
        "number" => ("报到证编号", "certificate number"),
        "deadline" => ("报到期限", "deadline"),
        "wanted_by" => ("期望完成时间", "wanted-by date"),
        "promised_by" => ("承诺完成时间", "promised date"),
        "reason" => ("原因", "reason"),
        "note" => ("备注", "note"),
        "minutes" => ("服务时长", "minutes of service"),
        "money_fen" | "estimated_cost_fen" => ("金额", "amount"),
        "count" => ("数量", "count"),
        "participants" | "people_reached" | "people_served" => ("人数", "number of people"),
        "code" => ("分类代码", "category code"),
        "category" => ("需求分类", "category"),
        "key" => ("数据库密钥", "database key"),
        _ => return None,
    })
}

/// A state as the core writes it (`claimed`): the core's label for needs' and claims' states.
fn state(entity: &str, code: &str, language: Language) -> String {
    let label = match entity {
        "need" => NeedStatus::from_code_str(code).map(|s| s.label()),
        "claim" => ClaimStatus::from_code_str(code).map(|s| s.label()),
        _ => None,
    };
    label.map_or_else(|| code.to_string(), |l| language.pick(l).to_string())
}

/// Looking up a state's label by its code.
trait FromCode: Sized {
    /// The value whose code is `code`.
    fn from_code_str(code: &str) -> Option<Self>;
}

impl<T: needbridge::model::Vocabulary> FromCode for T {
    fn from_code_str(code: &str) -> Option<Self> {
        T::from_code(code)
    }
}

/// A sentence for the app's user saying what went wrong and what to do, in `language`
/// (Chinese when left out), built from the error's data: the entity's name, the refused
/// field's name (never its value), a state's label, a limit. For `Invalid` the Chinese names
/// the field; the English adds the core's reason. Kotlin: `errorMessage(e)` or
/// `errorMessage(e, Language.EN)`; Swift: `errorMessage(error: e)`.
#[uniffi::export(default(language = None))]
pub fn error_message(error: NeedbridgeError, language: Option<Language>) -> String {
    let l = language.unwrap_or_default();
    let zh = l == Language::Zh;
    match error {
        NeedbridgeError::NotFound { entity: e, .. } => {
            let e = l.pick(entity(&e));
            if zh {
                format!("找不到该{e}：它可能已被删除，或您无权查看。")
            } else {
                format!("This {e} was not found: it may have been removed, or you may not see it.")
            }
        }
        NeedbridgeError::Invalid { field: f, reason } => match (field(&f), zh) {
            (Some(name), true) => format!("“{}”填写有误，请检查后重试。", name.0),
            (None, true) => "填写的内容有误，请检查后重试。".to_string(),
            (Some(name), false) => format!("Please check the {}: {reason}.", name.1),
            (None, false) => format!("Please check {f}: {reason}."),
        },
        NeedbridgeError::Forbidden { reason } => {
            if zh {
                "您没有权限进行此操作。".to_string()
            } else {
                format!("You may not do this ({reason}).")
            }
        }
        NeedbridgeError::Conflict { reason } => {
            if zh {
                "操作未完成：数据已被他人抢先更改（例如需求已被认领），请刷新后再试。".to_string()
            } else {
                format!("Someone else got there first ({reason}): refresh and try again.")
            }
        }
        NeedbridgeError::LimitReached { limit, max } => {
            if zh {
                format!("已达到上限（最多 {max} 个），无法继续。")
            } else {
                format!("A limit was reached: {limit} (at most {max}).")
            }
        }
        NeedbridgeError::IllegalState {
            entity: e,
            state: s,
            ..
        } => {
            let label = state(&e, &s, l);
            let e = l.pick(entity(&e));
            if zh {
                format!("该{e}当前状态为“{label}”，不能进行此操作。")
            } else {
                format!("This cannot be done while the {e} is {label}.")
            }
        }
        NeedbridgeError::Storage { .. } => l
            .pick((
                "数据读写失败，请稍后重试。",
                "The data could not be read or written: try again later.",
            ))
            .to_string(),
        NeedbridgeError::VersionNotSupported { .. } => l
            .pick((
                "应用与平台的同步版本不一致，请更新应用。",
                "The app and the portal speak different sync versions: update the app.",
            ))
            .to_string(),
    }
}
