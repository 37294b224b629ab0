//! Error messages in the caller's language. Codes never change; messages are
//! translated here, once, from the English the services write: known
//! sentences word for word, validation problems phrase by phrase, and
//! anything not in the table with a Chinese sentence for its code followed
//! by the English original (so nothing is lost, and a missing entry shows).

use async_graphql::{ServerError, Value};

use crate::auth::Locale;

/// Whole messages.
const SENTENCES: &[(&str, &str)] = &[
    (
        "sign in first: send `Authorization: Bearer <accessToken>`",
        "请先登录：发送 `Authorization: Bearer <accessToken>`",
    ),
    ("invalid email or password", "邮箱或密码错误"),
    (
        "the refresh token is not valid; please log in again",
        "刷新令牌无效，请重新登录",
    ),
    ("the access token has expired", "访问令牌已过期"),
    ("the access token is not valid", "访问令牌无效"),
    ("this account is not active", "该账号已停用"),
    ("you are not allowed to do this", "您无权执行此操作"),
    (
        "only HR and admins manage accounts",
        "只有 HR 和管理员可以管理账号",
    ),
    ("only HR may do this", "只有 HR 可以执行此操作"),
    (
        "only admins change the framework",
        "只有管理员可以修改能力框架",
    ),
    (
        "only admins manage admin accounts",
        "只有管理员可以管理管理员账号",
    ),
    (
        "only admins and HR change descriptors and catalogues",
        "只有管理员和 HR 可以修改描述和目录",
    ),
    (
        "only this person's manager rates them",
        "只有此人的经理可以为其评分",
    ),
    (
        "team views are for managers and HR",
        "团队视图仅对经理和 HR 开放",
    ),
    ("this person is not in your reach", "此人不在您的管理范围内"),
    ("this team is not yours", "这不是您的团队"),
    ("you cannot see this person", "您无权查看此人"),
    (
        "you cannot see this person's assessments",
        "您无权查看此人的评估",
    ),
    (
        "you cannot see this person's records",
        "您无权查看此人的记录",
    ),
    (
        "a self-assessment is written by the person themselves",
        "自评只能由本人填写",
    ),
    (
        "another HR colleague verifies your own certifications",
        "您本人的证书需由另一位 HR 同事核验",
    ),
    (
        "nobody gives their own manager assessment",
        "不能为自己做经理评估",
    ),
    (
        "peer input is given when the manager asks for it",
        "同事评价需由经理邀请后才能填写",
    ),
    (
        "mutations must be sent with POST",
        "变更操作必须用 POST 发送",
    ),
    (
        "the service is temporarily unavailable: please try again shortly",
        "服务暂时不可用，请稍后重试",
    ),
    (
        "this link is not valid any more: ask for a new one",
        "此链接已失效，请重新申请",
    ),
];

/// What was not found (`{what} not found`).
const THINGS: &[(&str, &str)] = &[
    ("KPI family", "KPI 类别"),
    ("assessment cycle for this person", "此人的评估周期"),
    ("assessment cycle", "评估周期"),
    ("certification family", "认证类别"),
    ("certification record", "认证记录"),
    ("framework draft", "能力框架草稿"),
    ("framework version", "能力框架版本"),
    ("job role", "岗位"),
    ("peer", "同事"),
    ("performance target", "绩效目标"),
    ("person", "人员"),
    ("published framework", "已发布的能力框架"),
    ("skill", "技能"),
    ("team", "团队"),
    ("this person in the cycle", "本周期中的此人"),
];

/// Phrases of validation problems (`field: phrase`).
const PHRASES: &[(&str, &str)] = &[
    ("is not a valid id", "不是有效的 ID"),
    ("must be between 0 and 5", "必须在 0 到 5 之间"),
    ("is rated twice", "被重复评分"),
    ("is not a skill of this person's role", "不是此人岗位的技能"),
    (
        "not rated yet: every skill of the role needs a rating to submit",
        "尚未评分：提交前需为岗位的每项技能评分",
    ),
    ("is required", "为必填项"),
    ("must not be empty", "不能为空"),
    ("is not a valid email address", "不是有效的邮箱地址"),
    ("no such team", "团队不存在"),
    ("is already taken", "已被占用"),
];

/// What each code means, for messages not in the tables.
fn lead(code: &str) -> &'static str {
    match code {
        "UNAUTHENTICATED" => "未登录或登录已失效",
        "FORBIDDEN" => "无权执行此操作",
        "BAD_USER_INPUT" => "输入有误",
        "NOT_FOUND" => "未找到",
        "CONFLICT" => "操作冲突",
        "RATE_LIMITED" => "尝试次数过多",
        "SERVICE_UNAVAILABLE" => "服务暂时不可用",
        _ => "服务器内部错误",
    }
}

/// The message in `locale` (English is the services' own).
pub fn translate(message: &str, code: &str, locale: Locale) -> String {
    if locale == Locale::En {
        return message.to_owned();
    }
    if let Some((_, zh)) = SENTENCES.iter().find(|(en, _)| *en == message) {
        return (*zh).to_owned();
    }
    if let Some(what) = message.strip_suffix(" not found")
        && let Some((_, zh)) = THINGS.iter().find(|(en, _)| *en == what)
    {
        return format!("未找到{zh}");
    }
    if let Some(problems) = message.strip_prefix("invalid input: ") {
        let translated: Vec<String> = problems.split("; ").map(problem).collect();
        return format!("输入有误：{}", translated.join("；"));
    }
    if let Some(seconds) = message
        .strip_prefix("too many attempts: try again in ")
        .and_then(|rest| rest.strip_suffix(" seconds"))
    {
        return format!("尝试次数过多，请在 {seconds} 秒后重试");
    }
    if let Some(id) = message
        .strip_prefix("something went wrong on our side (request id ")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return format!("服务器出错了（请求编号 {id}）");
    }
    format!("{}（{message}）", lead(code))
}

/// One `field: phrase` problem; the field name stays as the API spells it.
fn problem(text: &str) -> String {
    let (field, phrase) = text.split_once(": ").unwrap_or(("", text));
    let zh = phrase_zh(phrase);
    if field.is_empty() {
        zh
    } else {
        format!("{field}：{zh}")
    }
}

fn phrase_zh(phrase: &str) -> String {
    if let Some((_, zh)) = PHRASES.iter().find(|(en, _)| *en == phrase) {
        return (*zh).to_owned();
    }
    if let Some(n) = phrase
        .strip_prefix("must be at most ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return format!("最多 {n} 个字符");
    }
    if let Some(n) = phrase
        .strip_prefix("must be at least ")
        .and_then(|rest| rest.strip_suffix(" characters"))
    {
        return format!("至少 {n} 个字符");
    }
    phrase.to_owned()
}

/// Translates every error of a response, and its problems, in place.
pub fn translate_errors(errors: &mut [ServerError], locale: Locale) {
    if locale == Locale::En {
        return;
    }
    for error in errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("code"))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_default();
        error.message = translate(&error.message, &code, locale);
        if let Some(Value::List(problems)) = error
            .extensions
            .as_ref()
            .and_then(|ext| ext.get("problems"))
            .cloned()
        {
            let translated: Vec<Value> = problems
                .into_iter()
                .map(|p| match p {
                    Value::Object(mut map) => {
                        if let Some(Value::String(m)) = map.get("message").cloned() {
                            map.insert(
                                async_graphql::Name::new("message"),
                                Value::String(phrase_zh(&m)),
                            );
                        }
                        Value::Object(map)
                    }
                    other => other,
                })
                .collect();
            if let Some(ext) = error.extensions.as_mut() {
                ext.set("problems", translated);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_sentences_things_and_phrases_are_translated() {
        let zh = Locale::ZhCn;
        assert_eq!(
            translate("invalid email or password", "UNAUTHENTICATED", zh),
            "邮箱或密码错误"
        );
        assert_eq!(
            translate("assessment cycle not found", "NOT_FOUND", zh),
            "未找到评估周期"
        );
        assert_eq!(
            translate(
                "invalid input: ratings[sql].level: must be between 0 and 5; name: must be at most 200 characters",
                "BAD_USER_INPUT",
                zh
            ),
            "输入有误：ratings[sql].level：必须在 0 到 5 之间；name：最多 200 个字符"
        );
        assert_eq!(
            translate(
                "too many attempts: try again in 30 seconds",
                "RATE_LIMITED",
                zh
            ),
            "尝试次数过多，请在 30 秒后重试"
        );
    }

    #[test]
    fn anything_else_keeps_its_english_behind_a_chinese_lead() {
        assert_eq!(
            translate(
                "the cycle is closed: its results are final",
                "CONFLICT",
                Locale::ZhCn
            ),
            "操作冲突（the cycle is closed: its results are final）"
        );
        assert_eq!(
            translate("the cycle is closed", "CONFLICT", Locale::En),
            "the cycle is closed"
        );
    }
}
