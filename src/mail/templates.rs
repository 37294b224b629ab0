//! The messages, rendered from the templates in `emails/` (embedded in the
//! binary): a subject, a text part and an HTML part per message and language.

use async_graphql::Enum;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::auth::Locale;

/// Which email a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MessageKind {
    /// An invitation to set a password for a new account.
    Invitation,
    /// A link to set a new password.
    PasswordReset,
    /// A cycle opened: rate yourself.
    SelfAssessmentRequested,
    /// A report submitted their self-assessment.
    SelfAssessmentSubmitted,
    /// A manager finished a review.
    ManagerReviewCompleted,
    /// Performance targets were set or changed.
    TargetsSet,
    /// A certificate is about to lapse.
    CertificationExpiring,
    /// A self-assessment is not submitted close to its due date.
    SelfAssessmentDue,
    /// A cycle moved to manager review.
    ManagerReviewOpen,
    /// Reviews are still open close to their due date.
    ManagerReviewDue,
    /// A development goal is past its due day.
    DevelopmentGoalOverdue,
    /// A check-in on a development plan is due.
    DevelopmentCheckInDue,
}

impl MessageKind {
    pub const ALL: [MessageKind; 12] = [
        MessageKind::Invitation,
        MessageKind::PasswordReset,
        MessageKind::SelfAssessmentRequested,
        MessageKind::SelfAssessmentSubmitted,
        MessageKind::ManagerReviewCompleted,
        MessageKind::TargetsSet,
        MessageKind::CertificationExpiring,
        MessageKind::SelfAssessmentDue,
        MessageKind::ManagerReviewOpen,
        MessageKind::ManagerReviewDue,
        MessageKind::DevelopmentGoalOverdue,
        MessageKind::DevelopmentCheckInDue,
    ];

    /// The template's name in `emails/`, also stored in the outbox.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Invitation => "invitation",
            MessageKind::PasswordReset => "password_reset",
            MessageKind::SelfAssessmentRequested => "self_assessment_requested",
            MessageKind::SelfAssessmentSubmitted => "self_assessment_submitted",
            MessageKind::ManagerReviewCompleted => "manager_review_completed",
            MessageKind::TargetsSet => "targets_set",
            MessageKind::CertificationExpiring => "certification_expiring",
            MessageKind::SelfAssessmentDue => "self_assessment_due",
            MessageKind::ManagerReviewOpen => "manager_review_open",
            MessageKind::ManagerReviewDue => "manager_review_due",
            MessageKind::DevelopmentGoalOverdue => "development_goal_overdue",
            MessageKind::DevelopmentCheckInDue => "development_check_in_due",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

macro_rules! templates {
    ($($message:literal),* $(,)?) => {
        &[$(
            (concat!($message, ".en.subject"), include_str!(concat!("../../emails/", $message, ".en.subject"))),
            (concat!($message, ".en.txt"), include_str!(concat!("../../emails/", $message, ".en.txt"))),
            (concat!($message, ".en.html"), include_str!(concat!("../../emails/", $message, ".en.html"))),
            (concat!($message, ".zh-CN.subject"), include_str!(concat!("../../emails/", $message, ".zh-CN.subject"))),
            (concat!($message, ".zh-CN.txt"), include_str!(concat!("../../emails/", $message, ".zh-CN.txt"))),
            (concat!($message, ".zh-CN.html"), include_str!(concat!("../../emails/", $message, ".zh-CN.html"))),
        )*]
    };
}

/// The frame and the pieces that every HTML part extends and imports, so a
/// change to the look is made once.
const SHARED: &[(&str, &str)] = &[
    ("_layout.html", include_str!("../../emails/_layout.html")),
    (
        "_components.html",
        include_str!("../../emails/_components.html"),
    ),
];

const SOURCES: &[(&str, &str)] = templates!(
    "invitation",
    "password_reset",
    "self_assessment_requested",
    "self_assessment_submitted",
    "manager_review_completed",
    "targets_set",
    "certification_expiring",
    "self_assessment_due",
    "manager_review_open",
    "manager_review_due",
    "development_goal_overdue",
    "development_check_in_due",
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    pub fn new() -> Self {
        let mut env = Environment::new();
        // A missing variable is a bug: fail loudly rather than send a hole.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for (name, source) in SHARED.iter().chain(SOURCES) {
            env.add_template(name, source)
                .expect("the embedded templates parse (checked by a test)");
        }
        Self { env }
    }

    pub fn render(
        &self,
        kind: MessageKind,
        locale: Locale,
        vars: &serde_json::Value,
    ) -> Result<Rendered, minijinja::Error> {
        // `lang` picks the layout's `lang` attribute and font stack.
        let context = minijinja::context! { lang => locale.tag(), ..minijinja::value::Value::from(minijinja::value::Serde(vars)) };
        let part = |ext: &str| -> Result<String, minijinja::Error> {
            self.env
                .get_template(&format!("{}.{}.{ext}", kind.name(), locale.tag()))?
                .render(&context)
        };
        Ok(Rendered {
            subject: part("subject")?
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            text: part("txt")?,
            html: part("html")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    pub fn sample(kind: MessageKind) -> serde_json::Value {
        let common = json!({"product_name": "Skillpath", "recipient_name": "Ada <Lovelace>", "public_url": "https://sp.example", "link": "https://sp.example/x?token=abc"});
        let extra = match kind {
            MessageKind::Invitation => json!({"inviter_name": "Grace", "expires_in_days": 7}),
            MessageKind::PasswordReset => json!({"expires_in_minutes": 60}),
            MessageKind::SelfAssessmentRequested => {
                json!({"cycle_name": "2026 H2", "due_date": ""})
            }
            MessageKind::SelfAssessmentSubmitted => {
                json!({"employee_name": "Ada", "cycle_name": "2026 H2"})
            }
            MessageKind::ManagerReviewCompleted => {
                json!({"manager_name": "Grace", "cycle_name": "2026 H2"})
            }
            MessageKind::TargetsSet => {
                json!({"manager_name": "Grace", "period": "2026-Q4", "targets": [{"kpi_name": "New users", "weight": 60, "target": "1000"}]})
            }
            MessageKind::CertificationExpiring => {
                json!({"certification_name": "PMP", "expires_on": "2026-12-01", "days_left": 7, "is_manager_copy": true, "person_name": "Ada"})
            }
            MessageKind::SelfAssessmentDue => {
                json!({"cycle_name": "2026 H2", "due_date": "2026-12-01", "days_left": 1})
            }
            MessageKind::ManagerReviewOpen => {
                json!({"cycle_name": "2026 H2", "due_date": "", "pending": 3})
            }
            MessageKind::ManagerReviewDue => {
                json!({"cycle_name": "2026 H2", "due_date": "2026-12-15", "days_left": 3, "pending": 1})
            }
            MessageKind::DevelopmentGoalOverdue => {
                json!({"goal_title": "User lifecycle management", "due_on": "2026-12-01", "days_overdue": 3})
            }
            MessageKind::DevelopmentCheckInDue => {
                json!({"due_on": "2026-12-01", "last_check_in": "", "person_name": "Ada", "is_manager_copy": true})
            }
        };
        let mut vars = common;
        vars.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        vars
    }

    #[test]
    fn every_message_renders_in_both_languages_and_escapes_html() {
        let templates = Templates::new();
        for kind in MessageKind::ALL {
            for locale in [Locale::En, Locale::ZhCn] {
                let r = templates
                    .render(kind, locale, &sample(kind))
                    .unwrap_or_else(|e| panic!("{kind:?} {locale:?}: {e:#}"));
                assert!(!r.subject.is_empty());
                assert!(
                    r.text.contains("https://sp.example/x?token=abc"),
                    "{kind:?} {locale:?} text has the link"
                );
                // In HTML the link is entity-escaped (`/` becomes `&#x2f;`), which browsers and mail clients decode.
                assert!(
                    r.html.contains("x?token=abc"),
                    "{kind:?} {locale:?} html has the link"
                );
                assert!(
                    !r.html.contains("Ada <Lovelace>"),
                    "names are escaped in HTML"
                );
            }
        }
    }
}
