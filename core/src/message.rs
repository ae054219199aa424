//! Errors as sentences for people: [`Error::user_message`] turns a refusal's data into
//! Chinese (the default) or English an app or a portal may show its user as it is — the
//! entity's name, the name of the field a person filled in (never its value), a state's
//! label (`已认领`), a limit. No value, id or personal data is ever in it: only what the
//! error's fields say, and they are free of them (ADR 0004). A host with its own wording
//! switches on [`Error::kind`] and the fields instead. Every binding offers it (Python
//! `NeedbridgeError.user_message()`, Kotlin `errorMessage(e)`, Swift `errorMessage(error:)`).

use crate::error::Error;
use crate::export::Language;
use crate::model::{ClaimStatus, NeedStatus, Vocabulary};

/// An entity's name as errors write it (`need`, `work_unit`), for people.
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
        "hub" => ("数据库", "database"),
        "database" => ("数据库文件", "database file"),
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
        "path" => ("数据库文件路径", "database file path"),
        _ => return None,
    })
}

/// A state as errors write it (`claimed`): the label of needs' and claims' states; the code
/// for any other.
fn state(entity: &str, code: &str, language: Language) -> String {
    let labels = match entity {
        "need" => NeedStatus::from_code(code).map(|s| s.labels()),
        "claim" => ClaimStatus::from_code(code).map(|s| s.labels()),
        "hub" if code == "read_only" => Some(("只读", "read-only")),
        "hub" if code == "closed" => Some(("已关闭", "closed")),
        _ => None,
    };
    labels.map_or_else(|| code.to_string(), |l| language.pick(l).to_string())
}

impl Error {
    /// A sentence for the user saying what went wrong and what to do, in `language`, built
    /// from this error's data (see the module docs). For `Invalid` the Chinese names the
    /// field; the English adds the reason (which never holds the value either).
    pub fn user_message(&self, language: Language) -> String {
        let zh = language == Language::Zh;
        match self {
            Error::NotFound { entity: e, .. } => {
                let e = language.pick(entity(e));
                if zh {
                    format!("找不到该{e}：它可能已被删除，或您无权查看。")
                } else {
                    format!(
                        "This {e} was not found: it may have been removed, or you may not see it."
                    )
                }
            }
            Error::Invalid { field: f, reason } => match (field(f), zh) {
                (Some(name), true) => format!("“{}”填写有误，请检查后重试。", name.0),
                (None, true) => "填写的内容有误，请检查后重试。".to_string(),
                (Some(name), false) => format!("Please check the {}: {reason}.", name.1),
                (None, false) => format!("Please check {f}: {reason}."),
            },
            Error::Forbidden { reason } => {
                if zh {
                    "您没有权限进行此操作。".to_string()
                } else {
                    format!("You may not do this ({reason}).")
                }
            }
            Error::Conflict { reason } => {
                if zh {
                    "操作未完成：数据已被他人抢先更改（例如需求已被认领），请刷新后再试。"
                        .to_string()
                } else {
                    format!("Someone else got there first ({reason}): refresh and try again.")
                }
            }
            Error::LimitReached { limit, max } => {
                if zh {
                    format!("已达到上限（最多 {max} 个），无法继续。")
                } else {
                    format!("A limit was reached: {limit} (at most {max}).")
                }
            }
            Error::IllegalState {
                entity: e,
                state: s,
                ..
            } => {
                let label = state(e, s, language);
                let e = language.pick(entity(e));
                if zh {
                    format!("该{e}当前状态为“{label}”，不能进行此操作。")
                } else {
                    format!("This cannot be done while the {e} is {label}.")
                }
            }
            Error::Storage { .. } => language
                .pick((
                    "数据读写失败，请稍后重试。",
                    "The data could not be read or written: try again later.",
                ))
                .to_string(),
            Error::VersionNotSupported { .. } => language
                .pick((
                    "应用与平台的同步版本不一致，请更新应用。",
                    "The app and the portal speak different sync versions: update the app.",
                ))
                .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_fields_and_states_never_values() {
        let e = Error::invalid("resident.phone", "must be 11 digits");
        assert_eq!(
            e.user_message(Language::Zh),
            "“手机号码”填写有误，请检查后重试。"
        );
        assert_eq!(
            e.user_message(Language::En),
            "Please check the phone number: must be 11 digits."
        );
        let e = Error::IllegalState {
            entity: "need".into(),
            state: "claimed".into(),
            action: "claim_need".into(),
        };
        assert_eq!(
            e.user_message(Language::Zh),
            format!(
                "该需求当前状态为“{}”，不能进行此操作。",
                NeedStatus::Claimed.labels().0
            )
        );
        let e = Error::not_found("resident", "0190-secret-id");
        for l in [Language::Zh, Language::En] {
            assert!(!e.user_message(l).contains("0190"), "an id in the message");
        }
    }
}
