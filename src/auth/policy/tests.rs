//! A unit test for every rule of the policy, role by role.

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
    let eraser = erase_person(&hr, 4).unwrap();
    assert_eq!(eraser.person(), 4);
    assert!(erase_account(&eraser, Role::Employee).is_ok());
    assert!(erase_person(&hr, 1).is_err(), "not your own");
    assert!(erase_account(&erase_person(&hr, 2).unwrap(), Role::Admin).is_err());
    assert!(erase_account(&erase_person(&admin, 5).unwrap(), Role::Admin).is_ok());
    assert!(erase_person(&boss, 4).is_err());
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
    let scope = team_views(&manager).unwrap().scope();
    assert!(scope.contains(3) && scope.contains(5));
    assert!(!scope.contains(2) && !scope.contains(1));
    assert!(team_views(&actor(3, Role::Employee, &[], Some(2))).is_err());
    assert!(
        team_views(&actor(9, Role::Hr, &[], None))
            .unwrap()
            .scope()
            .contains(12345)
    );
}

#[test]
fn plans_are_read_by_the_person_managers_hr_and_in_part_by_mentors() {
    let manager = actor(2, Role::Manager, &[3], Some(1));
    let employee = actor(3, Role::Employee, &[], Some(2));
    let colleague = actor(4, Role::Employee, &[], Some(2));
    let reach = |a: &Actor, mentor| read_plan(a, 3, mentor).map(|r| r.reach());
    assert_eq!(reach(&employee, false).unwrap(), PlanReach::Whole);
    assert_eq!(reach(&manager, false).unwrap(), PlanReach::Whole);
    assert_eq!(reach(&colleague, true).unwrap(), PlanReach::MentorOf(4));
    assert!(read_plan(&colleague, 3, false).is_err());
    assert!(read_plan(&employee, 2, false).is_err());
    assert_eq!(agree_plan(&employee, 3).unwrap().side(), AgreeAs::Person);
    assert_eq!(agree_plan(&manager, 3).unwrap().side(), AgreeAs::Manager);
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

#[test]
fn only_hr_and_admins_run_organisation_wide_operations() {
    assert!(hr(&actor(1, Role::Hr, &[], None)).is_ok());
    assert!(hr(&actor(2, Role::Admin, &[], None)).is_ok());
    assert!(hr(&actor(3, Role::Manager, &[4], None)).is_err());
    assert!(hr(&actor(4, Role::Employee, &[], Some(3))).is_err());
    assert!(manage_accounts(&actor(1, Role::Hr, &[], None)).is_ok());
    assert!(manage_accounts(&actor(3, Role::Manager, &[4], None)).is_err());
}

#[test]
fn admins_alone_change_the_structure_and_may_change_catalogues() {
    let admin = actor(2, Role::Admin, &[], None);
    let editor = edit_framework(&admin).unwrap();
    assert_eq!(editor.catalogues().by().user_id, 2);
    assert!(edit_catalogues(&admin).is_ok());
    assert!(edit_catalogues(&actor(3, Role::Manager, &[4], None)).is_err());
    assert!(assign_role(&admin, Some(Role::Admin), Role::Hr).is_ok());
}

#[test]
fn a_manager_rating_comes_from_the_reviewer_or_a_manager_above() {
    use crate::assessment::AssessmentKind;
    let reviewer = actor(2, Role::Manager, &[3], Some(1));
    let above = actor(1, Role::Manager, &[2, 3], None);
    let colleague = actor(4, Role::Manager, &[5], None);
    assert_eq!(rate_as_manager(&reviewer, Some(2), 3).unwrap().subject(), 3);
    assert!(rate_as_manager(&above, Some(2), 3).is_ok());
    assert!(rate_as_manager(&colleague, Some(2), 3).is_err());
    assert!(
        rate_as_manager(&colleague, Some(4), 4).is_err(),
        "not yourself"
    );
    assert!(
        rate_as_manager(&colleague, Some(4), 3).is_ok(),
        "the reviewer named"
    );
    let employee = actor(3, Role::Employee, &[], Some(2));
    assert!(assess(&employee, AssessmentKind::SelfRating, Some(2), 3).is_ok());
    assert!(assess(&reviewer, AssessmentKind::SelfRating, Some(2), 3).is_err());
    assert!(assess(&employee, AssessmentKind::Manager, Some(2), 3).is_err());
    assert_eq!(
        assess(&reviewer, AssessmentKind::Manager, Some(2), 3)
            .unwrap()
            .kind(),
        AssessmentKind::Manager
    );
    assert!(assess(&colleague, AssessmentKind::Peer, Some(2), 3).is_ok());
}

#[test]
fn peers_read_only_the_assessments_they_wrote_and_never_see_who_wrote_about_them() {
    use crate::assessment::AssessmentKind;
    let manager = actor(2, Role::Manager, &[3], Some(1));
    let peer = actor(4, Role::Employee, &[], Some(2));
    assert_eq!(assessments_reach(&manager, 3), AssessmentReach::All);
    assert_eq!(assessments_reach(&peer, 3), AssessmentReach::WrittenBy(4));
    let subject = actor(3, Role::Employee, &[], Some(2));
    assert!(!can_see_assessor(&subject, AssessmentKind::Peer, 3));
    assert!(can_see_assessor(&subject, AssessmentKind::Manager, 3));
    assert!(can_see_assessor(&manager, AssessmentKind::Peer, 3));
}

#[test]
fn cycles_are_listed_whole_for_hr_and_by_taking_part_for_others() {
    assert_eq!(cycle_reach(&actor(1, Role::Hr, &[], None)), CycleReach::All);
    assert_eq!(
        cycle_reach(&actor(2, Role::Manager, &[3], None)),
        CycleReach::TakingPart(2)
    );
}

#[test]
fn records_are_kept_by_the_person_their_managers_and_hr() {
    let manager = actor(2, Role::Manager, &[3], Some(1));
    let employee = actor(3, Role::Employee, &[], Some(2));
    assert_eq!(keep_records(&employee, 3).unwrap().subject(), 3);
    assert!(keep_records(&manager, 3).is_ok());
    assert!(keep_records(&employee, 2).is_err());
    assert!(keep_records(&actor(9, Role::Hr, &[], None), 3).is_ok());
    assert!(manage_person(&employee, 3).is_err(), "no self-set targets");
    assert_eq!(manage_person(&manager, 3).unwrap().subject(), 3);
    assert!(comment_on_target(&employee, 3).is_ok());
    assert!(comment_on_target(&manager, 3).is_ok());
    assert!(comment_on_target(&actor(4, Role::Employee, &[], Some(2)), 3).is_err());
}

#[test]
fn work_is_followed_by_the_person_and_their_managers_not_the_managers_manager_view() {
    let employee = actor(3, Role::Employee, &[], Some(2));
    assert_eq!(work_scope(&employee), PeopleScope::Only(vec![3]));
    let manager = actor(2, Role::Manager, &[3, 5], Some(1));
    assert_eq!(work_scope(&manager), PeopleScope::Only(vec![2, 3, 5]));
    assert_eq!(
        work_scope(&actor(9, Role::Admin, &[], None)),
        PeopleScope::Everyone
    );
    assert_eq!(view_person(&employee, 2).unwrap().person(), 2);
    assert_eq!(view_work(&manager, 5).unwrap().subject(), 5);
}

#[test]
fn the_trail_is_read_whole_by_admins_and_yourself_and_changes_only_by_hr_and_managers() {
    use crate::audit::read::AuditReach;
    let admin = actor(1, Role::Admin, &[], None);
    let hr_person = actor(2, Role::Hr, &[], None);
    let manager = actor(3, Role::Manager, &[4], None);
    let employee = actor(4, Role::Employee, &[], Some(3));
    assert_eq!(audit_log(&admin).unwrap().reach(), AuditReach::Everything);
    assert_eq!(
        audit_log(&hr_person).unwrap().reach(),
        AuditReach::ChangesOnly
    );
    assert!(audit_log(&manager).is_err());
    assert_eq!(
        person_history(&employee, 4).unwrap().reach(),
        AuditReach::Everything
    );
    assert_eq!(
        person_history(&manager, 4).unwrap().reach(),
        AuditReach::ChangesOnly
    );
    assert_eq!(
        person_history(&hr_person, 4).unwrap().reach(),
        AuditReach::ChangesOnly
    );
    assert!(person_history(&employee, 3).is_err());
}

#[test]
fn a_persons_data_is_exported_by_themselves_hr_and_admins() {
    let employee = actor(4, Role::Employee, &[], Some(3));
    assert_eq!(export_person_data(&employee, 4).unwrap().person(), 4);
    assert!(export_person_data(&employee, 3).is_err());
    assert!(export_person_data(&actor(3, Role::Manager, &[4], None), 4).is_err());
    assert!(export_person_data(&actor(2, Role::Hr, &[], None), 4).is_ok());
}

#[test]
fn hr_verifies_certificates_but_not_their_own_and_only_admins_see_addresses() {
    let hr_person = hr(&actor(2, Role::Hr, &[], None)).unwrap();
    assert!(verify_certification(&hr_person, 4).is_ok());
    assert!(verify_certification(&hr_person, 2).is_err());
    assert!(can_see_addresses(&actor(1, Role::Admin, &[], None)));
    assert!(!can_see_addresses(&actor(2, Role::Hr, &[], None)));
    assert!(!can_see_addresses(&actor(4, Role::Employee, &[], Some(3))));
}

#[test]
fn a_manager_is_left_out_of_their_own_team_view_and_hr_is_not() {
    let manager = team_views(&actor(3, Role::Manager, &[4], None)).unwrap();
    assert_eq!(manager.leaves_out(), Some(3));
    let hr_view = team_views(&actor(2, Role::Hr, &[], None)).unwrap();
    assert_eq!(hr_view.leaves_out(), None);
}

#[test]
fn a_plan_writer_reads_the_work_and_an_export_holds_the_whole_history() {
    use crate::audit::read::AuditReach;
    let manager = actor(2, Role::Manager, &[3], Some(1));
    let writer = write_plan(&manager, 3).unwrap();
    assert_eq!(writer.reader().subject(), 3);
    assert!(can_read_whole_plan(&manager, 3));
    assert!(!can_read_whole_plan(
        &actor(4, Role::Employee, &[], Some(2)),
        3
    ));
    let export = export_person_data(&actor(3, Role::Employee, &[], Some(2)), 3).unwrap();
    assert_eq!(export.history().reach(), AuditReach::Everything);
}
