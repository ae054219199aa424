//! Item 6: project-library pages (`Hub::library`) on the cached SQLite district: every call's
//! latency over a mix of the views the apps show — the district's open needs, everything a
//! committee's staff see, what a member sees of a committee, one category in one street —
//! each walked 10 pages deep (20 needs a page), the whole mix repeated after one pass that
//! warms the page cache (timed and reported apart). p50 and p99 of the warm calls; the target
//! is p99 ≤ 5 ms at 1M needs.

use super::report;
use super::Line;
use needbridge::hub::NeedQuery;
use needbridge::model::*;
use needbridge::store::{MemberFilter, Page, Query, Store, TxExt};
use needbridge::{Actor, Hub};
use std::time::Instant;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn run(n: u64, quick: bool) -> Vec<Line> {
    let (path, district) = report::cached_sqlite(n);
    let store = needbridge::store::sqlite::SqliteStore::open(&path).expect("open");
    let (community, committee, member) = {
        let mut tx = store.begin_read().expect("read");
        let community = tx
            .select::<Unit>(
                &Query::Units {
                    parent: Some(district),
                    kind: Some(UnitKind::Community),
                },
                &Page::ALL,
            )
            .expect("units")[0]
            .id;
        let committee = tx
            .select::<Unit>(
                &Query::Units {
                    parent: Some(community),
                    kind: Some(UnitKind::Committee),
                },
                &Page::ALL,
            )
            .expect("units")[0]
            .id;
        let member = tx
            .select::<Member>(
                &Query::Members(MemberFilter {
                    unit: Some(committee),
                    statuses: vec![MemberStatus::Accepted],
                    ..Default::default()
                }),
                &Page {
                    after: None,
                    limit: Some(1),
                },
            )
            .expect("members")[0]
            .id;
        (community, committee, member)
    };
    drop(store);
    let hub = Hub::open(&path).expect("open hub");
    let admin = Actor::DistrictAdmin { district };
    let staff = Actor::CommitteeStaff { unit: committee };
    let member = Actor::Member { member };
    // A category the street has open needs in.
    let category = hub
        .library(
            &admin,
            &NeedQuery {
                unit: Some(community),
                statuses: vec![NeedStatus::Published],
                limit: 1,
                ..Default::default()
            },
        )
        .expect("page")
        .needs
        .first()
        .expect("an open need in the street")
        .category
        .clone();
    let views: Vec<(&str, &Actor, NeedQuery)> = vec![
        (
            "district, published",
            &admin,
            NeedQuery {
                statuses: vec![NeedStatus::Published],
                ..Default::default()
            },
        ),
        ("district, every status", &admin, NeedQuery::default()),
        (
            "committee, staff, every status",
            &staff,
            NeedQuery::default(),
        ),
        (
            "committee, a member (public statuses)",
            &member,
            NeedQuery {
                unit: Some(committee),
                ..Default::default()
            },
        ),
        (
            "street, published, one category",
            &admin,
            NeedQuery {
                unit: Some(community),
                category: Some(category),
                statuses: vec![NeedStatus::Published],
                ..Default::default()
            },
        ),
    ];
    let repeats = if quick { 10 } else { 20 };
    let mut all = Vec::new();
    let mut per_view: Vec<Vec<f64>> = vec![Vec::new(); views.len()];
    let mut first_pages = 0usize;
    // The first pass meets a cold page cache (the file was just opened): timed on its own.
    let mut first_pass = Vec::new();
    for round in 0..=repeats {
        for (i, (_, actor, q)) in views.iter().enumerate() {
            let mut q = NeedQuery {
                limit: 20,
                after: None,
                ..q.clone()
            };
            for _ in 0..10 {
                let t = Instant::now();
                let page = hub.library(actor, &q).expect("page");
                let ms = t.elapsed().as_secs_f64() * 1e3;
                if round == 0 {
                    first_pass.push(ms);
                    if q.after.is_none() {
                        first_pages += usize::from(!page.needs.is_empty());
                    }
                } else {
                    all.push(ms);
                    per_view[i].push(ms);
                }
                match page.next {
                    Some(next) => q.after = Some(next),
                    None => break,
                }
            }
        }
    }
    assert!(
        first_pages >= views.len(),
        "every view should have needs to show"
    );
    all.sort_by(f64::total_cmp);
    let mut views_json = Vec::new();
    for (i, (name, _, _)) in views.iter().enumerate() {
        let mut v = per_view[i].clone();
        v.sort_by(f64::total_cmp);
        println!(
            "  {name}: {} calls, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            v.len(),
            pct(&v, 0.5),
            pct(&v, 0.99),
            v.last().copied().unwrap_or(f64::NAN)
        );
        views_json.push(serde_json::json!({
            "view": name, "calls": v.len(), "p50_ms": pct(&v, 0.5), "p99_ms": pct(&v, 0.99),
            "max_ms": v.last(),
        }));
    }
    first_pass.sort_by(f64::total_cmp);
    println!(
        "  first pass (cold cache): {} calls, p50 {:.2} ms, max {:.2} ms",
        first_pass.len(),
        pct(&first_pass, 0.5),
        first_pass.last().copied().unwrap_or(f64::NAN)
    );
    let label = |p: &str| format!("library page {p}, SQLite {}k needs", n / 1000);
    let p99 = pct(&all, 0.99);
    vec![
        Line::plain(6, label("p50"), pct(&all, 0.5), "ms"),
        if n >= 1_000_000 {
            Line::at_most(6, label("p99"), p99, "ms", 5.0)
        } else {
            Line::plain(6, label("p99"), p99, "ms")
        }
        .extra(serde_json::json!({
            "calls": all.len(), "views": views_json,
            "first_pass_calls": first_pass.len(), "first_pass_p50_ms": pct(&first_pass, 0.5),
            "first_pass_max_ms": first_pass.last(),
        })),
    ]
}
