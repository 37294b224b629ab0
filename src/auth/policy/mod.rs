//! Who may do what: the one place authorization is decided. Every capability
//! asks here, from the caller and the target, before it reads or writes.
//!
//! | role     | people                  | framework                  |
//! |----------|-------------------------|----------------------------|
//! | EMPLOYEE | themselves, their manager | read                     |
//! | MANAGER  | + direct and indirect reports | read                 |
//! | HR       | everyone; manage accounts and teams (not admins) | read; edit descriptors and catalogues |
//! | ADMIN    | everyone; manage all accounts and teams | read, edit, publish |

use super::{Actor, Role};
use crate::error::{Error, Result};

/// Makes a capability type: a decision of this module as a value. Its
/// fields are private, so only a policy function builds one, and a service
/// that takes one cannot run unless the policy said yes. `by()` is the caller
/// the decision was made for (who wrote a change, whose language).
macro_rules! capability {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            actor: Actor,
            $($field: $ty,)*
        }

        impl $name {
            /// The caller the decision was made for.
            pub fn by(&self) -> &Actor {
                &self.actor
            }
            $(
                pub fn $field(&self) -> $ty {
                    self.$field.clone()
                }
            )*
        }
    };
}

capability! {
    /// May see one person (name, team, manager): `view_person`.
    PersonView { person: i64 }
}
capability! {
    /// May read one person's work records: `view_work`.
    WorkReader { subject: i64 }
}
capability! {
    /// May manage one person's work (targets, actuals, comments): `manage_person`.
    WorkManager { subject: i64 }
}
capability! {
    /// May write one person's certification records: `keep_records`.
    RecordKeeper { subject: i64 }
}
capability! {
    /// May give one cycle participant's manager assessment, or ask peers
    /// for input on them: `rate_as_manager`.
    ManagerReviewer { subject: i64 }
}
capability! {
    /// May write an assessment of one kind about one participant: `assess`.
    Assessor { subject: i64, kind: crate::assessment::AssessmentKind }
}
capability! {
    /// May read team views over the people in `scope`: `team_views`.
    TeamView { scope: PeopleScope }
}
capability! {
    /// May run HR-wide operations (cycles, reminders, organisation views): `hr`.
    HrOffice {}
}
capability! {
    /// May create and edit accounts and teams: `manage_accounts`, `assign_role`.
    AccountAdmin {}
}
capability! {
    /// May change the framework's structure and publish it: `edit_framework`.
    FrameworkEditor {}
}
capability! {
    /// May change descriptors and catalogues in the draft: `edit_catalogues`.
    CatalogueEditor {}
}
capability! {
    /// May read a development plan, wholly or the goals naming them: `read_plan`.
    PlanReader { subject: i64, reach: PlanReach }
}
capability! {
    /// May write a development plan (goals, progress, evidence): `write_plan`.
    PlanWriter { subject: i64 }
}
capability! {
    /// May agree a plan, as the person or as their manager: `agree_plan`.
    PlanAgreement { subject: i64, side: AgreeAs }
}
capability! {
    /// May read the audit trail, or one person's history, this far:
    /// `audit_log`, `person_history`.
    TrailReader { reach: crate::audit::read::AuditReach }
}
capability! {
    /// May export everything held about one person: `export_person_data`.
    DataExport { person: i64 }
}
capability! {
    /// May erase one departed person, once their role is known to allow it:
    /// `erase_person` then `erase_account`.
    Eraser { person: i64 }
}

/// Which people a caller can see, for filtering lists in SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleScope {
    Everyone,
    Only(Vec<i64>),
}

impl PeopleScope {
    pub fn contains(&self, id: i64) -> bool {
        match self {
            PeopleScope::Everyone => true,
            PeopleScope::Only(ids) => ids.binary_search(&id).is_ok(),
        }
    }
}

/// Whose data a caller aggregates in team views (team matrix, divergence,
/// team performance, readiness ranking): their reports, or everyone for HR.
fn managed_scope(actor: &Actor) -> PeopleScope {
    if actor.sees_everyone() {
        return PeopleScope::Everyone;
    }
    PeopleScope::Only(actor.reports.iter().copied().collect())
}

/// Team views are for HR and for managers who have reports; they cover the
/// people the caller manages.
pub fn team_views(actor: &Actor) -> Result<TeamView> {
    if actor.sees_everyone() || !actor.reports.is_empty() {
        Ok(TeamView {
            actor: actor.clone(),
            scope: managed_scope(actor),
        })
    } else {
        Err(Error::Forbidden("team views are for managers and HR"))
    }
}

impl TeamView {
    /// Narrows a team view to everyone below `manager_id` (capability
    /// maturity of a sub-tree): HR for anyone's; a manager for their own or
    /// a report's.
    pub fn below(&self, manager_id: i64) -> Result<()> {
        let actor = &self.actor;
        if actor.sees_everyone() || actor.is(manager_id) || actor.reports.contains(&manager_id) {
            Ok(())
        } else {
            Err(Error::Forbidden("this person is not in your reach"))
        }
    }
}

pub fn people_scope(actor: &Actor) -> PeopleScope {
    if actor.sees_everyone() {
        return PeopleScope::Everyone;
    }
    let mut ids: Vec<i64> = actor.reports.iter().copied().collect();
    ids.push(actor.user_id);
    ids.extend(actor.manager_id);
    ids.sort_unstable();
    PeopleScope::Only(ids)
}

/// Whose work records (certifications, readiness) a caller follows:
/// themselves and their reports, or everyone for HR and admins. Unlike
/// `people_scope`, an employee's manager is not included.
pub fn work_scope(actor: &Actor) -> PeopleScope {
    if actor.sees_everyone() {
        return PeopleScope::Everyone;
    }
    let mut ids: Vec<i64> = actor.reports.iter().copied().collect();
    ids.push(actor.user_id);
    ids.sort_unstable();
    PeopleScope::Only(ids)
}

/// Which assessment cycles a caller lists: all of them for HR and admins,
/// otherwise those they take part in or review in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleReach {
    All,
    TakingPart(i64),
}

pub fn cycle_reach(actor: &Actor) -> CycleReach {
    if actor.sees_everyone() {
        CycleReach::All
    } else {
        CycleReach::TakingPart(actor.user_id)
    }
}

/// Which of a person's assessments a caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentReach {
    /// All of them: whoever may read the person's work.
    All,
    /// Only those the caller wrote (a peer's own input).
    WrittenBy(i64),
}

/// Reading the assessments of a person: all of them with `view_work`,
/// otherwise the ones the caller wrote as a peer.
pub fn assessments_reach(actor: &Actor, subject: i64) -> AssessmentReach {
    if may_view_work(actor, subject) {
        AssessmentReach::All
    } else {
        AssessmentReach::WrittenBy(actor.user_id)
    }
}

pub fn can_view_person(actor: &Actor, target: i64) -> bool {
    actor.sees_everyone()
        || actor.is(target)
        || actor.reports.contains(&target)
        || actor.manager_id == Some(target)
}

/// Peer input is anonymous to the person it is about; everyone else who
/// may see the assessment sees who wrote it.
pub fn can_see_assessor(
    actor: &Actor,
    kind: crate::assessment::AssessmentKind,
    subject_id: i64,
) -> bool {
    kind != crate::assessment::AssessmentKind::Peer || !actor.is(subject_id)
}

pub fn view_person(actor: &Actor, target: i64) -> Result<PersonView> {
    if can_view_person(actor, target) {
        Ok(PersonView {
            actor: actor.clone(),
            person: target,
        })
    } else {
        Err(Error::Forbidden("you cannot see this person"))
    }
}

/// Managing someone's work: their reports for a manager, anyone for HR.
/// Nobody manages themselves (no self-set targets, no self manager-ratings).
pub fn can_manage_person(actor: &Actor, target: i64) -> bool {
    if actor.is(target) {
        return false;
    }
    actor.role == Role::Hr || actor.role == Role::Admin || actor.reports.contains(&target)
}

pub fn manage_person(actor: &Actor, target: i64) -> Result<WorkManager> {
    if can_manage_person(actor, target) {
        Ok(WorkManager {
            actor: actor.clone(),
            subject: target,
        })
    } else {
        Err(Error::Forbidden("this person is not in your reach"))
    }
}

/// Commenting on a performance target: the person it is for, or whoever
/// manages their work.
pub fn comment_on_target(actor: &Actor, target_owner: i64) -> Result<()> {
    if actor.is(target_owner) || can_manage_person(actor, target_owner) {
        Ok(())
    } else {
        Err(Error::Forbidden("this person is not in your reach"))
    }
}

/// Writing someone's certification records: the person themselves, their
/// managers, HR.
pub fn keep_records(actor: &Actor, subject: i64) -> Result<RecordKeeper> {
    if actor.is(subject) || can_manage_person(actor, subject) {
        Ok(RecordKeeper {
            actor: actor.clone(),
            subject,
        })
    } else {
        Err(Error::Forbidden("this person is not in your reach"))
    }
}

/// Giving the manager assessment of a cycle participant: their reviewer (the
/// nearest active manager when the cycle opened) or a manager above them.
pub fn rate_as_manager(
    actor: &Actor,
    reviewer: Option<i64>,
    subject: i64,
) -> Result<ManagerReviewer> {
    if actor.is(subject) {
        return Err(Error::Forbidden(
            "nobody gives their own manager assessment",
        ));
    }
    if reviewer == Some(actor.user_id) || actor.reports.contains(&subject) {
        Ok(ManagerReviewer {
            actor: actor.clone(),
            subject,
        })
    } else {
        Err(Error::Forbidden("only this person's manager rates them"))
    }
}

/// Writing an assessment of a participant: a self-assessment by the person
/// themselves, a manager assessment as `rate_as_manager`, peer input by
/// whoever was asked for it (the open request is checked with the cycle).
pub fn assess(
    actor: &Actor,
    kind: crate::assessment::AssessmentKind,
    reviewer: Option<i64>,
    subject: i64,
) -> Result<Assessor> {
    use crate::assessment::AssessmentKind;
    match kind {
        AssessmentKind::SelfRating if !actor.is(subject) => {
            return Err(Error::Forbidden(
                "a self-assessment is written by the person themselves",
            ));
        }
        AssessmentKind::Manager => {
            rate_as_manager(actor, reviewer, subject)?;
        }
        _ => {}
    }
    Ok(Assessor {
        actor: actor.clone(),
        subject,
        kind,
    })
}

fn may_view_work(actor: &Actor, subject: i64) -> bool {
    actor.sees_everyone() || actor.is(subject) || actor.reports.contains(&subject)
}

/// Whether a field of someone's work records shows (null otherwise): the
/// same rule as `view_work`, as a yes or no.
pub fn can_view_work(actor: &Actor, subject: i64) -> bool {
    may_view_work(actor, subject)
}

/// Reading someone's work records (assessments, profile, targets, scores,
/// certifications history, readiness): the person, their managers, HR.
/// Narrower than `view_person`: an employee sees their manager's name, not
/// their manager's ratings. Peers read only what they wrote themselves
/// (`assessments_reach`).
pub fn view_work(actor: &Actor, subject: i64) -> Result<WorkReader> {
    if may_view_work(actor, subject) {
        Ok(WorkReader {
            actor: actor.clone(),
            subject,
        })
    } else {
        Err(Error::Forbidden("you cannot see this person's records"))
    }
}

/// How much of a person's development plan a caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanReach {
    /// The whole plan: the person, their managers, HR.
    Whole,
    /// Only the goals naming the caller as mentor.
    MentorOf(i64),
}

/// Reading a development plan: the person, their managers and HR read all
/// of it; a colleague named as mentor reads the goals that name them.
/// `names_caller_as_mentor` comes from the plan's goals (of an agreed plan:
/// a draft is between the person and their managers).
pub fn read_plan(actor: &Actor, subject: i64, names_caller_as_mentor: bool) -> Result<PlanReader> {
    let reach = if may_view_work(actor, subject) {
        PlanReach::Whole
    } else if names_caller_as_mentor {
        PlanReach::MentorOf(actor.user_id)
    } else {
        return Err(Error::Forbidden("you cannot see this person's plan"));
    };
    Ok(PlanReader {
        actor: actor.clone(),
        subject,
        reach,
    })
}

/// Whether a plan's mentor goals matter for `read_plan`: only to a caller
/// who cannot read the whole plan anyway.
pub fn can_read_whole_plan(actor: &Actor, subject: i64) -> bool {
    may_view_work(actor, subject)
}

/// Writing a development plan (goals, progress, evidence, check-ins): the
/// person, their managers, HR.
pub fn write_plan(actor: &Actor, subject: i64) -> Result<PlanWriter> {
    if actor.is(subject) || can_manage_person(actor, subject) {
        Ok(PlanWriter {
            actor: actor.clone(),
            subject,
        })
    } else {
        Err(Error::Forbidden("this person's plan is not in your reach"))
    }
}

/// Which side of a plan's agreement the caller gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreeAs {
    Person,
    /// A manager above the person, or HR.
    Manager,
}

/// Agreeing a plan: the person for themselves, a manager (or HR) for them.
pub fn agree_plan(actor: &Actor, subject: i64) -> Result<PlanAgreement> {
    let side = if actor.is(subject) {
        AgreeAs::Person
    } else if can_manage_person(actor, subject) {
        AgreeAs::Manager
    } else {
        return Err(Error::Forbidden(
            "only the person and their manager agree a plan",
        ));
    };
    Ok(PlanAgreement {
        actor: actor.clone(),
        subject,
        side,
    })
}

/// Creating and editing accounts and teams.
pub fn manage_accounts(actor: &Actor) -> Result<AccountAdmin> {
    if actor.sees_everyone() {
        Ok(AccountAdmin {
            actor: actor.clone(),
        })
    } else {
        Err(Error::Forbidden("only HR and admins manage accounts"))
    }
}

/// Granting or holding the admin role is for admins alone.
pub fn assign_role(actor: &Actor, current: Option<Role>, new: Role) -> Result<AccountAdmin> {
    let admin = manage_accounts(actor)?;
    admin.may_touch(current, new)?;
    Ok(admin)
}

impl AccountAdmin {
    /// Changing an account from `current` (once its row is read) to `new`:
    /// granting or holding the admin role is for admins alone.
    pub fn may_touch(&self, current: Option<Role>, new: Role) -> Result<()> {
        let touches_admin = new == Role::Admin || current == Some(Role::Admin);
        if touches_admin && self.actor.role != Role::Admin {
            return Err(Error::Forbidden("only admins manage admin accounts"));
        }
        Ok(())
    }
}

/// HR-wide operations: assessment cycles, organisation-wide queries.
pub fn hr(actor: &Actor) -> Result<HrOffice> {
    if actor.sees_everyone() {
        Ok(HrOffice {
            actor: actor.clone(),
        })
    } else {
        Err(Error::Forbidden("only HR may do this"))
    }
}

/// Verifying an earned certificate (HR checked the credential): never one's
/// own, known once the record is read.
pub fn verify_certification(hr: &HrOffice, holder: i64) -> Result<()> {
    if hr.actor.is(holder) {
        return Err(Error::Forbidden(
            "another HR colleague verifies your own certifications",
        ));
    }
    Ok(())
}

/// The network address a trail entry was made from is for admins alone
/// (HR reads the changes, not where people signed in from).
pub fn can_see_addresses(actor: &Actor) -> bool {
    actor.role == Role::Admin
}

impl TeamView {
    /// Whom a team list leaves out: a manager is not a member of their own
    /// team's view; HR and admins see everyone, themselves included.
    pub fn leaves_out(&self) -> Option<i64> {
        (!self.actor.sees_everyone()).then_some(self.actor.user_id)
    }
}

/// Structural framework changes: roles, levels, requirements, paths, publishing.
pub fn edit_framework(actor: &Actor) -> Result<FrameworkEditor> {
    if actor.role == Role::Admin {
        Ok(FrameworkEditor {
            actor: actor.clone(),
        })
    } else {
        Err(Error::Forbidden("only admins change the framework"))
    }
}

/// Descriptors and catalogues (KPIs, certifications, learning resources).
pub fn edit_catalogues(actor: &Actor) -> Result<CatalogueEditor> {
    if actor.sees_everyone() {
        Ok(CatalogueEditor {
            actor: actor.clone(),
        })
    } else {
        Err(Error::Forbidden(
            "only admins and HR change descriptors and catalogues",
        ))
    }
}

impl PlanWriter {
    /// Whoever writes a plan reads the work it rests on (the person, their
    /// managers, HR: `write_plan` is within `view_work`).
    pub fn reader(&self) -> WorkReader {
        WorkReader {
            actor: self.actor.clone(),
            subject: self.subject,
        }
    }
}

impl DataExport {
    /// A person's export holds their whole history, security events too:
    /// what the trail says about them is theirs to see.
    pub fn history(&self) -> TrailReader {
        TrailReader {
            actor: self.actor.clone(),
            reach: crate::audit::read::AuditReach::Everything,
        }
    }
}

impl FrameworkEditor {
    /// Whoever may change the structure may change the catalogues too.
    pub fn catalogues(&self) -> CatalogueEditor {
        CatalogueEditor {
            actor: self.actor.clone(),
        }
    }
}

/// The organisation's audit trail: admins read all of it, security events
/// included; HR reads the changes to people and records.
pub fn audit_log(actor: &Actor) -> Result<TrailReader> {
    use crate::audit::read::AuditReach;
    let reach = match actor.role {
        Role::Admin => AuditReach::Everything,
        Role::Hr => AuditReach::ChangesOnly,
        _ => return Err(Error::Forbidden("only HR and admins read the audit trail")),
    };
    Ok(TrailReader {
        actor: actor.clone(),
        reach,
    })
}

/// A person's history: their own in full (their logins too), their
/// managers' and HR's the changes only, admins' everything.
pub fn person_history(actor: &Actor, person: i64) -> Result<TrailReader> {
    use crate::audit::read::AuditReach;
    let reach = if actor.role == Role::Admin || actor.is(person) {
        AuditReach::Everything
    } else if actor.sees_everyone() || actor.reports.contains(&person) {
        AuditReach::ChangesOnly
    } else {
        return Err(Error::Forbidden("you cannot see this person's history"));
    };
    Ok(TrailReader {
        actor: actor.clone(),
        reach,
    })
}

/// Everything held about a person, as a document: the person themselves, or
/// HR and admins acting on a request.
pub fn export_person_data(actor: &Actor, person: i64) -> Result<DataExport> {
    if actor.is(person) || actor.sees_everyone() {
        Ok(DataExport {
            actor: actor.clone(),
            person,
        })
    } else {
        Err(Error::Forbidden(
            "only the person, HR and admins export a person's data",
        ))
    }
}

/// Erasing a departed person: HR and admins, never their own data.
/// `erase_account` then decides on the person's role once the row is read.
pub fn erase_person(actor: &Actor, person: i64) -> Result<Eraser> {
    hr(actor)?;
    if actor.is(person) {
        return Err(Error::Forbidden(
            "another HR colleague erases your own data",
        ));
    }
    Ok(Eraser {
        actor: actor.clone(),
        person,
    })
}

/// An admin's account is erased only by an admin.
pub fn erase_account(eraser: &Eraser, role: Role) -> Result<()> {
    if role == Role::Admin && eraser.actor.role != Role::Admin {
        return Err(Error::Forbidden("only admins erase an admin's account"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
