//! Pictures: each chart is rasterised with resvg (as a browser would draw
//! it) in English and Chinese, and what it shows is checked, not only that
//! it is there.

use resvg::{tiny_skia, usvg};
use serde_json::json;
use skillpath::charts::{heatmap, radar};

use crate::exports::{get, rated_cycle};
use crate::helpers::{DbId, spawn_app};

/// The SVG drawn into pixels with the system's fonts. Chinese needs a CJK
/// font: `.ci/run` installs fonts-wqy-microhei.
pub fn rasterise(svg: &str) -> tiny_skia::Pixmap {
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let cjk = options.fontdb.faces().any(|f| {
        f.families
            .iter()
            .any(|(name, _)| name.contains("WenQuanYi") || name.contains("CJK"))
    });
    assert!(cjk, "no CJK font: apt-get install fonts-wqy-microhei");
    let tree = usvg::Tree::from_str(svg, &options).expect("a valid SVG");
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
}

pub fn rgb(pixmap: &tiny_skia::Pixmap, x: u32, y: u32) -> (u8, u8, u8) {
    let p = pixmap.pixel(x, y).unwrap().demultiply();
    (p.red(), p.green(), p.blue())
}

pub fn hex(colour: &str) -> (u8, u8, u8) {
    let v = u32::from_str_radix(colour.trim_start_matches('#'), 16).unwrap();
    ((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

pub fn near(a: (u8, u8, u8), b: (u8, u8, u8), tolerance: i32) -> bool {
    (a.0 as i32 - b.0 as i32).abs()
        + (a.1 as i32 - b.1 as i32).abs()
        + (a.2 as i32 - b.2 as i32).abs()
        <= tolerance
}

/// Columns of the title band holding dark (text) pixels: the title drew.
fn title_ink(pixmap: &tiny_skia::Pixmap) -> u32 {
    (0..pixmap.width())
        .filter(|x| {
            (8..36).any(|y| {
                let (r, g, b) = rgb(pixmap, *x, y);
                (r as u32 + g as u32 + b as u32) < 3 * 140
            })
        })
        .count() as u32
}

#[tokio::test]
async fn a_profile_radar_draws_the_agreed_levels_in_english_and_chinese() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let ada = app
        .gql(Some(&c.employee), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for lang in ["en", "zh-CN"] {
        let path = format!("/charts/profile-radar/{ada}?cycle={}&lang={lang}", c.cycle);
        let res = get(&app, Some(&c.manager), &path).await;
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml")
        );
        let svg = res.text().await.unwrap();
        let title = if lang == "en" {
            "skill profile"
        } else {
            "能力画像"
        };
        assert!(svg.contains(title), "{svg}");
        let pixmap = rasterise(&svg);
        if std::env::var("SKILLPATH_WRITE_DOCS").is_ok() {
            pixmap.save_png(format!("docs/radar-{lang}.png")).unwrap();
        }
        // The title is drawn (in Chinese too: glyphs, not blanks).
        assert!(
            title_ink(&pixmap) > 60,
            "{lang}: title ink {}",
            title_ink(&pixmap)
        );
        // The manager rated every skill 3: the agreed outline crosses the
        // first axis at level 3.
        let (x, y) = radar::point(0, 5, 3.0);
        let found = (-3..=3).any(|dy| {
            (-3..=3).any(|dx| {
                near(
                    rgb(&pixmap, (x as i32 + dx) as u32, (y as i32 + dy) as u32),
                    hex(skillpath::charts::AGREED),
                    90,
                )
            })
        });
        assert!(
            found,
            "{lang}: no agreed outline at level 3 on the first axis"
        );
        // And not at level 5.
        let (x5, y5) = radar::point(0, 5, 5.0);
        assert!(!near(
            rgb(&pixmap, x5 as u32, y5 as u32 + 1),
            hex(skillpath::charts::AGREED),
            90
        ));
    }

    // The same chart as a GraphQL field, and through a signed link for an <img>.
    let field = app
        .gql(
            Some(&c.employee),
            "query($u: ID!) { profileRadar(userId: $u, locale: ZH_CN) { svg path } }",
            json!({"u": ada}),
        )
        .await;
    let chart = &field.data()["profileRadar"];
    assert!(chart["svg"].as_str().unwrap().starts_with("<svg"));
    let link = app
        .gql(
            Some(&c.employee),
            "mutation($p: String!) { downloadLink(path: $p) { url } }",
            json!({"p": chart["path"]}),
        )
        .await;
    let url = link.data()["downloadLink"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(get(&app, None, &url).await.status(), 200);
    // An outsider's radar is not the employee's to see.
    let outsider_radar = app
        .gql(
            Some(&c.employee),
            "{ users(first: 10) { edges { node { id email } } } }",
            json!({}),
        )
        .await;
    let _ = outsider_radar;
    assert_eq!(
        get(
            &app,
            Some(&c.manager),
            &format!("/charts/profile-radar/999999?cycle={}", c.cycle)
        )
        .await
        .status(),
        403
    );
}

#[tokio::test]
async fn a_team_heatmap_colours_every_cell_by_its_gap() {
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let matrix = app
        .gql(
            Some(&c.hr),
            "query($t: ID!, $c: ID!) { teamSkillMatrix(teamId: $t, cycleId: $c) { rows { nodes { user { name } cells { agreed required gap } } } } }",
            json!({"t": c.growth.to_string(), "c": c.cycle}),
        )
        .await;
    let rows = matrix.data()["teamSkillMatrix"]["rows"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 3, "the manager and their two reports");
    for lang in ["en", "zh-CN"] {
        let path = format!(
            "/charts/team-heatmap/{}?cycle={}&lang={lang}",
            c.growth, c.cycle
        );
        let svg = get(&app, Some(&c.hr), &path).await.text().await.unwrap();
        let pixmap = rasterise(&svg);
        if std::env::var("SKILLPATH_WRITE_DOCS").is_ok() && lang == "zh-CN" {
            pixmap.save_png("docs/heatmap.png").unwrap();
        }
        assert!(title_ink(&pixmap) > 60, "{lang}");
        let mut checked = 0;
        for (r, row) in rows.iter().enumerate() {
            for (col, cell) in row["cells"].as_array().unwrap().iter().enumerate() {
                let expected = heatmap::colour(&heatmap::HeatCell {
                    agreed: cell["agreed"].as_u64().map(|v| v as u8),
                    required: cell["required"].as_u64().unwrap() as u8,
                    gap: cell["gap"].as_u64().unwrap() as u8,
                });
                let (x, y) = heatmap::cell_origin(r, col);
                // A corner inside the cell, clear of the digit and any marker.
                let seen = rgb(&pixmap, x + 6, y + 6);
                assert!(
                    near(seen, hex(expected), 12),
                    "{lang} row {r} col {col}: {seen:?} vs {expected}"
                );
                checked += 1;
            }
        }
        assert!(checked > 10);
    }
    // A manager of another line may not draw this team.
    let care_lead = app.token("care.lead@example.com").await;
    let refused = get(
        &app,
        Some(&care_lead),
        &format!("/charts/team-heatmap/{}?cycle={}", c.growth, c.cycle),
    )
    .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn a_kpi_attainment_chart_draws_one_bar_per_target_as_long_as_its_attainment() {
    use skillpath::charts::bars;
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let ada = app
        .gql(Some(&c.employee), "{ me { id } }", json!({}))
        .await
        .data()["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.gql(
        Some(&c.manager),
        "mutation($u: ID!, $p: String!, $t: [TargetInput!]!) { setPerformanceTargets(userId: $u, period: $p, targets: $t) { kpiKey } }",
        json!({"u": ada, "p": "2026-Q4", "t": [
            {"kpi": "new_users", "weight": 60, "threshold": 800, "target": 1000, "stretch": 1200},
            {"kpi": "monthly_churn_rate", "weight": 40, "threshold": 8, "target": 5, "stretch": 3}
        ]}),
    )
    .await
    .data();
    app.gql(
        Some(&c.manager),
        "mutation($u: ID!, $p: String!, $k: String!, $v: Float!) { recordKpiActual(userId: $u, period: $p, kpi: $k, value: $v) { value } }",
        json!({"u": ada, "p": "2026-Q4", "k": "new_users", "v": 1000.0}),
    )
    .await
    .data();
    for lang in ["en", "zh-CN"] {
        let path = format!("/charts/kpi-attainment/{ada}?period=2026-Q4&lang={lang}");
        let svg = get(&app, Some(&c.manager), &path)
            .await
            .text()
            .await
            .unwrap();
        let pixmap = rasterise(&svg);
        assert!(title_ink(&pixmap) > 60, "{lang}");
        // new_users met its target: a green bar ending at 100 %.
        let y = (bars::TOP + 14.0) as u32;
        let end = bars::x_of(100.0, 150.0);
        assert!(
            near(
                rgb(&pixmap, (end - 3.0) as u32, y),
                hex(skillpath::charts::MET),
                12
            ),
            "{lang}"
        );
        assert!(
            near(rgb(&pixmap, (end + 3.0) as u32, y + 8), (255, 255, 255), 12),
            "{lang}"
        );
        // The churn target has no actual yet: no bar.
        let y2 = (bars::TOP + bars::ROW + 14.0) as u32;
        assert!(
            near(rgb(&pixmap, bars::LEFT as u32 + 5, y2), (255, 255, 255), 12),
            "{lang}"
        );
    }
    // Not the outsider's to see.
    let outsider = app.token("outsider@example.com").await;
    assert_eq!(
        get(
            &app,
            Some(&outsider),
            &format!("/charts/kpi-attainment/{ada}?period=2026-Q4")
        )
        .await
        .status(),
        403
    );
}

#[tokio::test]
async fn certification_coverage_draws_each_level_as_the_share_holding_all_it_requires() {
    use skillpath::charts::bars;
    use skillpath::people::{self, NewPerson};
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let data = app
        .gql(
            Some(&c.hr),
            "mutation { createTeam(input: {name: \"Data\"}) { id } }",
            json!({}),
        )
        .await
        .data()["createTeam"]["id"]
        .db_id();
    let mut ids = Vec::new();
    for (email, level) in [
        ("d1@example.com", "p3"),
        ("d2@example.com", "p3"),
        ("d3@example.com", "m1"),
    ] {
        let person = people::insert_person(
            &app.state.db,
            &app.state.auth.hasher,
            NewPerson {
                email: email.into(),
                name: email.into(),
                role: Some(skillpath::auth::Role::Employee),
                team_id: Some(data),
                job_role: Some("data_operations".into()),
                career_level: Some(level.into()),
                ..NewPerson::default()
            },
        )
        .await
        .unwrap();
        ids.push(person.id);
    }
    let recent = (chrono::Utc::now().date_naive() - chrono::Days::new(10)).to_string();
    app.gql(
        Some(&c.hr),
        "mutation($i: RecordCertificationInput!) { recordCertification(input: $i) { id } }",
        json!({"i": {"userId": ids[0].to_string(), "certification": "cda_level_1", "status": "EARNED", "earnedOn": recent}}),
    )
    .await
    .data();

    for (lang, title) in [
        ("EN", "certification coverage by level"),
        ("ZH_CN", "各职级证书达标率"),
    ] {
        let chart = app
            .gql(
                Some(&c.hr),
                "query($t: ID!, $l: Locale) { certificationCoverageChart(teamId: $t, locale: $l) { svg path } }",
                json!({"t": data.to_string(), "l": lang}),
            )
            .await;
        let chart = chart.data()["certificationCoverageChart"].clone();
        let svg = chart["svg"].as_str().unwrap();
        assert!(svg.contains(title), "{lang}");
        assert!(
            svg.contains("(1/2)") && svg.contains("(0/1)"),
            "{lang}: {svg}"
        );
        let pixmap = rasterise(svg);
        assert!(title_ink(&pixmap) > 60, "{lang}");
        // p3: one of two holds the CDA Level I, a bar to 50 %, short of the line.
        let y = (bars::TOP + 14.0) as u32;
        let half = bars::x_of(50.0, 100.0);
        assert!(
            near(
                rgb(&pixmap, (half - 3.0) as u32, y),
                hex(skillpath::charts::GAP_MORE),
                12
            ),
            "{lang}"
        );
        assert!(
            near(
                rgb(&pixmap, (half + 30.0) as u32, y + 8),
                (255, 255, 255),
                12
            ),
            "{lang}"
        );
        // m1: nobody holds it, no bar.
        let y2 = (bars::TOP + bars::ROW + 14.0) as u32;
        assert!(
            near(rgb(&pixmap, bars::LEFT as u32 + 5, y2), (255, 255, 255), 12),
            "{lang}"
        );
        // The same picture over HTTP.
        let path = chart["path"].as_str().unwrap();
        let res = get(&app, Some(&c.hr), path).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.text().await.unwrap(), svg);
    }
    // A manager of another team sees nobody of this one: no bars, no counts.
    let outside = get(
        &app,
        Some(&c.manager),
        &format!("/charts/certification-coverage?team={data}"),
    )
    .await;
    assert_eq!(outside.status(), 200);
    let svg = outside.text().await.unwrap();
    assert!(
        !svg.contains("class=\"bar\"") && !svg.contains("/2)"),
        "{svg}"
    );
}

#[tokio::test]
async fn readiness_distribution_counts_the_team_in_bands() {
    use skillpath::charts::bars;
    let app = spawn_app().await;
    let c = rated_cycle(&app).await;
    let ranked = app
        .gql(
            Some(&c.manager),
            "{ promotionReadiness(first: 500) { nodes { verdict readiness } } }",
            json!({}),
        )
        .await;
    // The bands by hand: ready; 80+; 60–79; 40–59; under 40; needs evidence.
    let mut expected = [0u32; 6];
    for r in ranked.data()["promotionReadiness"]["nodes"]
        .as_array()
        .unwrap()
    {
        let band = match (r["verdict"].as_str().unwrap(), r["readiness"].as_f64()) {
            ("READY", _) => 0,
            ("NEEDS_EVIDENCE", _) | (_, None) => 5,
            (_, Some(x)) if x >= 80.0 => 1,
            (_, Some(x)) if x >= 60.0 => 2,
            (_, Some(x)) if x >= 40.0 => 3,
            _ => 4,
        };
        expected[band] += 1;
    }
    assert_eq!(expected.iter().sum::<u32>(), 2, "Ada and Bo");
    let max = f64::from(*expected.iter().max().unwrap());
    for (lang, title) in [
        ("en", "readiness for the next move"),
        ("zh-CN", "准备度分布"),
    ] {
        let path = format!(
            "/charts/readiness-distribution?team={}&lang={lang}",
            c.growth
        );
        let res = get(&app, Some(&c.manager), &path).await;
        assert_eq!(res.status(), 200);
        let svg = res.text().await.unwrap();
        assert!(svg.contains(title), "{lang}");
        let pixmap = rasterise(&svg);
        assert!(title_ink(&pixmap) > 60, "{lang}");
        for (band, count) in expected.iter().enumerate() {
            let y = (bars::TOP + band as f64 * bars::ROW + 14.0) as u32;
            if *count == 0 {
                assert!(
                    near(rgb(&pixmap, bars::LEFT as u32 + 5, y), (255, 255, 255), 12),
                    "{lang} band {band}"
                );
            } else {
                let end = bars::x_of(f64::from(*count), max);
                assert!(
                    near(
                        rgb(&pixmap, (end - 3.0) as u32, y),
                        hex(skillpath::charts::AGREED),
                        12
                    ),
                    "{lang} band {band}"
                );
            }
        }
    }
    // Team views are for managers and HR.
    let res = get(&app, Some(&c.employee), "/charts/readiness-distribution").await;
    assert_eq!(res.status(), 403);
}
