//! The demo organisation (`skillpath seed demo`): it fills the views, the
//! same seed gives the same company, and it never lands on real data.

use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;
use skillpath::auth::Role;
use skillpath::db::entities::user;
use skillpath::demo::{self, DemoReport};
use skillpath::error::Error;

use crate::helpers::{TestApp, spawn_app};

async fn seeded(people: usize, seed: u64) -> (TestApp, DemoReport) {
    let app = spawn_app().await;
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let report = demo::seed(&app.state.db, &fw, people, seed).await.unwrap();
    (app, report)
}

async fn roster(app: &TestApp) -> Vec<(String, String, Option<String>, Option<i64>)> {
    user::Entity::find()
        .order_by_asc(user::Column::Email)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.email, u.name, u.career_level, u.manager_id))
        .collect()
}

#[tokio::test]
async fn a_demo_organisation_fills_the_views() {
    let (app, report) = seeded(60, 7).await;
    assert_eq!(report.people, 60);
    assert_eq!(report.cycles, 2);
    assert!(report.ratings > 60 * 2 * 2 * 10, "{report:?}");
    assert_eq!(report.targets, 60 * 2 * 2, "two KPIs in two quarters each");

    app.person("hr@example.com", Role::Hr, None).await;
    let hr = app.token("hr@example.com").await;
    let views = app
        .gql(
            Some(&hr),
            "{ teams(first: 500) { totalCount } assessmentCycles { totalCount nodes { status } }
               promotionReadiness(first: 5) { totalCount nodes { readiness user { email } } }
               certificationSummary { levelCoverage { people holdingAllRequired } byCertification { certificationKey } } }",
            json!({}),
        )
        .await;
    let data = views.data();
    assert_eq!(data["teams"]["totalCount"], report.teams);
    assert_eq!(data["assessmentCycles"]["totalCount"], 2);
    assert!(
        data["assessmentCycles"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "CLOSED")
    );
    // Everyone but the head, whose level has no move up, is ranked.
    assert!(data["promotionReadiness"]["totalCount"].as_u64().unwrap() >= 50);
    assert!(
        data["promotionReadiness"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["readiness"].is_number()),
        "manager ratings give scores: {data:#}"
    );
    assert!(
        !data["certificationSummary"]["byCertification"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Never on top of people.
    let fw = app.state.frameworks.current(&app.state.db).await.unwrap();
    let again = demo::seed(&app.state.db, &fw, 60, 7).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    assert!(matches!(
        demo::seed(&app.state.db, &fw, 5, 7).await,
        Err(Error::Invalid(_))
    ));
}

#[tokio::test]
async fn the_same_seed_makes_the_same_company() {
    let (first, a) = seeded(40, 11).await;
    let (second, b) = seeded(40, 11).await;
    assert_eq!(a, b);
    assert_eq!(roster(&first).await, roster(&second).await);
    let (third, _) = seeded(40, 12).await;
    assert_ne!(
        roster(&first).await,
        roster(&third).await,
        "another seed, another company"
    );
}
