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
pub fn managed_scope(actor: &Actor) -> PeopleScope {
    if actor.sees_everyone() {
        return PeopleScope::Everyone;
    }
    PeopleScope::Only(actor.reports.iter().copied().collect())
}

/// Team views are for HR and for managers who have reports.
pub fn team_views(actor: &Actor) -> Result<()> {
    if actor.sees_everyone() || !actor.reports.is_empty() {
        Ok(())
    } else {
        Err(Error::Forbidden("team views are for managers and HR"))
    }
}

/// Views of a manager's sub-tree (capability maturity below someone): HR
/// for anyone's; a manager for their own or a report's.
pub fn view_subtree(actor: &Actor, manager_id: i64) -> Result<()> {
    team_views(actor)?;
    if actor.sees_everyone() || actor.is(manager_id) || actor.reports.contains(&manager_id) {
        Ok(())
    } else {
        Err(Error::Forbidden("this person is not in your reach"))
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

pub fn view_person(actor: &Actor, target: i64) -> Result<()> {
    if can_view_person(actor, target) {
        Ok(())
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

pub fn manage_person(actor: &Actor, target: i64) -> Result<()> {
    if can_manage_person(actor, target) {
        Ok(())
    } else {
        Err(Error::Forbidden("this person is not in your reach"))
    }
}

/// Giving the manager assessment of a cycle participant: their reviewer (the
/// nearest active manager when the cycle opened) or a manager above them.
pub fn rate_as_manager(actor: &Actor, reviewer: Option<i64>, subject: i64) -> Result<()> {
    if actor.is(subject) {
        return Err(Error::Forbidden(
            "nobody gives their own manager assessment",
        ));
    }
    if reviewer == Some(actor.user_id) || actor.reports.contains(&subject) {
        Ok(())
    } else {
        Err(Error::Forbidden("only this person's manager rates them"))
    }
}

/// Reading someone's work records (assessments, profile, targets, scores,
/// certifications history, readiness): the person, their managers, HR.
/// Narrower than `view_person`: an employee sees their manager's name, not
/// their manager's ratings. Peers read only what they wrote themselves
/// (checked where assessments are listed).
pub fn view_work(actor: &Actor, subject: i64) -> Result<()> {
    if actor.sees_everyone() || actor.is(subject) || actor.reports.contains(&subject) {
        Ok(())
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
pub fn read_plan(actor: &Actor, subject: i64, names_caller_as_mentor: bool) -> Result<PlanReach> {
    if view_work(actor, subject).is_ok() {
        Ok(PlanReach::Whole)
    } else if names_caller_as_mentor {
        Ok(PlanReach::MentorOf(actor.user_id))
    } else {
        Err(Error::Forbidden("you cannot see this person's plan"))
    }
}

/// Writing a development plan (goals, progress, evidence, check-ins): the
/// person, their managers, HR.
pub fn write_plan(actor: &Actor, subject: i64) -> Result<()> {
    if actor.is(subject) || can_manage_person(actor, subject) {
        Ok(())
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
pub fn agree_plan(actor: &Actor, subject: i64) -> Result<AgreeAs> {
    if actor.is(subject) {
        Ok(AgreeAs::Person)
    } else if can_manage_person(actor, subject) {
        Ok(AgreeAs::Manager)
    } else {
        Err(Error::Forbidden(
            "only the person and their manager agree a plan",
        ))
    }
}

/// Creating and editing accounts and teams.
pub fn manage_accounts(actor: &Actor) -> Result<()> {
    if actor.sees_everyone() {
        Ok(())
    } else {
        Err(Error::Forbidden("only HR and admins manage accounts"))
    }
}

/// Granting or holding the admin role is for admins alone.
pub fn assign_role(actor: &Actor, current: Option<Role>, new: Role) -> Result<()> {
    manage_accounts(actor)?;
    let touches_admin = new == Role::Admin || current == Some(Role::Admin);
    if touches_admin && actor.role != Role::Admin {
        return Err(Error::Forbidden("only admins manage admin accounts"));
    }
    Ok(())
}

/// HR-wide operations: assessment cycles, organisation-wide queries.
pub fn hr(actor: &Actor) -> Result<()> {
    if actor.sees_everyone() {
        Ok(())
    } else {
        Err(Error::Forbidden("only HR may do this"))
    }
}

/// Structural framework changes: roles, levels, requirements, paths, publishing.
pub fn edit_framework(actor: &Actor) -> Result<()> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(Error::Forbidden("only admins change the framework"))
    }
}

/// Descriptors and catalogues (KPIs, certifications, learning resources).
pub fn edit_catalogues(actor: &Actor) -> Result<()> {
    if actor.sees_everyone() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only admins and HR change descriptors and catalogues",
        ))
    }
}

/// The organisation's audit trail: admins read all of it, security events
/// included; HR reads the changes to people and records.
pub fn audit_log(actor: &Actor) -> Result<crate::audit::read::AuditReach> {
    use crate::audit::read::AuditReach;
    match actor.role {
        Role::Admin => Ok(AuditReach::Everything),
        Role::Hr => Ok(AuditReach::ChangesOnly),
        _ => Err(Error::Forbidden("only HR and admins read the audit trail")),
    }
}

/// A person's history: their own in full (their logins too), their
/// managers' and HR's the changes only, admins' everything.
pub fn person_history(actor: &Actor, person: i64) -> Result<crate::audit::read::AuditReach> {
    use crate::audit::read::AuditReach;
    if actor.role == Role::Admin || actor.is(person) {
        return Ok(AuditReach::Everything);
    }
    if actor.sees_everyone() || actor.reports.contains(&person) {
        return Ok(AuditReach::ChangesOnly);
    }
    Err(Error::Forbidden("you cannot see this person's history"))
}

/// Everything held about a person, as a document: the person themselves, or
/// HR and admins acting on a request.
pub fn export_person_data(actor: &Actor, person: i64) -> Result<()> {
    if actor.is(person) || actor.sees_everyone() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only the person, HR and admins export a person's data",
        ))
    }
}

/// Erasing a departed person: HR and admins, never their own data, and an
/// admin's account only by an admin (`role`, once the row is read).
pub fn erase_person(actor: &Actor, person: i64, role: Option<Role>) -> Result<()> {
    hr(actor)?;
    if actor.is(person) {
        return Err(Error::Forbidden(
            "another HR colleague erases your own data",
        ));
    }
    if role == Some(Role::Admin) && actor.role != Role::Admin {
        return Err(Error::Forbidden("only admins erase an admin's account"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Locale;

    fn actor(id: i64, role: Role, reports: &[i64], manager: Option<i64>) -> Actor {
        Actor {
            user_id: id,
            role,
            manager_id: manager,
            team_id: None,
            locale: Some(Locale::En),
            reports: reports.iter().copied().collect(),
        }
    }

    #[test]
    fn hr_erases_others_and_only_admins_erase_admins() {
        let hr = actor(1, Role::Hr, &[], None);
        let admin = actor(2, Role::Admin, &[], None);
        let boss = actor(3, Role::Manager, &[4], None);
        assert!(erase_person(&hr, 4, Some(Role::Employee)).is_ok());
        assert!(erase_person(&hr, 1, None).is_err(), "not your own");
        assert!(erase_person(&hr, 2, Some(Role::Admin)).is_err());
        assert!(erase_person(&admin, 5, Some(Role::Admin)).is_ok());
        assert!(erase_person(&boss, 4, Some(Role::Employee)).is_err());
    }

    #[test]
    fn employees_see_themselves_and_their_manager_only() {
        let employee = actor(3, Role::Employee, &[], Some(2));
        assert!(can_view_person(&employee, 3));
        assert!(can_view_person(&employee, 2));
        assert!(!can_view_person(&employee, 4));
        assert!(!can_manage_person(&employee, 3));
    }

    #[test]
    fn managers_reach_direct_and_indirect_reports() {
        let manager = actor(2, Role::Manager, &[3, 5], Some(1));
        assert!(can_manage_person(&manager, 5));
        assert!(!can_manage_person(&manager, 4));
        assert!(!can_manage_person(&manager, 2));
        assert_eq!(people_scope(&manager), PeopleScope::Only(vec![1, 2, 3, 5]));
    }

    #[test]
    fn an_employee_sees_their_manager_but_not_their_managers_records() {
        let employee = actor(3, Role::Employee, &[], Some(2));
        assert!(view_person(&employee, 2).is_ok());
        assert!(view_work(&employee, 2).is_err());
        assert!(view_work(&employee, 3).is_ok());
        let manager = actor(2, Role::Manager, &[3], Some(1));
        assert!(view_work(&manager, 3).is_ok());
        assert!(view_work(&manager, 1).is_err());
    }

    #[test]
    fn team_views_cover_reports_only() {
        let manager = actor(2, Role::Manager, &[3, 5], Some(1));
        let scope = managed_scope(&manager);
        assert!(scope.contains(3) && scope.contains(5));
        assert!(!scope.contains(2) && !scope.contains(1));
        assert!(team_views(&manager).is_ok());
        assert!(team_views(&actor(3, Role::Employee, &[], Some(2))).is_err());
        assert!(managed_scope(&actor(9, Role::Hr, &[], None)).contains(12345));
    }

    #[test]
    fn plans_are_read_by_the_person_managers_hr_and_in_part_by_mentors() {
        let manager = actor(2, Role::Manager, &[3], Some(1));
        let employee = actor(3, Role::Employee, &[], Some(2));
        let colleague = actor(4, Role::Employee, &[], Some(2));
        assert_eq!(read_plan(&employee, 3, false).unwrap(), PlanReach::Whole);
        assert_eq!(read_plan(&manager, 3, false).unwrap(), PlanReach::Whole);
        assert_eq!(
            read_plan(&colleague, 3, true).unwrap(),
            PlanReach::MentorOf(4)
        );
        assert!(read_plan(&colleague, 3, false).is_err());
        assert!(read_plan(&employee, 2, false).is_err());
        assert_eq!(agree_plan(&employee, 3).unwrap(), AgreeAs::Person);
        assert_eq!(agree_plan(&manager, 3).unwrap(), AgreeAs::Manager);
        assert!(agree_plan(&colleague, 3).is_err());
        assert!(write_plan(&colleague, 3).is_err());
        assert!(write_plan(&employee, 3).is_ok());
    }

    #[test]
    fn hr_sees_all_but_cannot_make_admins() {
        let hr_person = actor(9, Role::Hr, &[], None);
        assert_eq!(people_scope(&hr_person), PeopleScope::Everyone);
        assert!(assign_role(&hr_person, None, Role::Manager).is_ok());
        assert!(assign_role(&hr_person, None, Role::Admin).is_err());
        assert!(assign_role(&hr_person, Some(Role::Admin), Role::Hr).is_err());
        assert!(edit_framework(&hr_person).is_err());
        assert!(edit_catalogues(&hr_person).is_ok());
    }
}
