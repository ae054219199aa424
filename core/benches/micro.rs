//! Criterion micro-benchmarks of the hot paths, for comparing commits (`cargo bench -p
//! needbridge --features postgres --bench micro`); the targets and the side-by-side ratios
//! live in the suite (`benches/suite`, docs/BENCHMARKS.md).
//!
//! - `claim+release/{memory,sqlite-normal}`: one member claims a need and releases it again
//!   (two commands, two transactions) — the write path with report-cell upkeep;
//! - `library page/district published` and `…/committee every status`, on the cached 10k
//!   SQLite district (generated on first use, as the report bench does);
//! - `report/district 2025 warm` on the same file;
//! - `frame/claims` of the same district.

// criterion_group!/criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use chrono::{Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use needbridge::command::*;
use needbridge::frame::FrameKind;
use needbridge::hub::NeedQuery;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::store::sqlite::{SqliteOptions, SqliteStore, Synchronous};
use needbridge::{Actor, Hub};
use std::hint::black_box;

#[allow(dead_code)]
#[path = "report.rs"]
mod report;

#[allow(dead_code)]
#[path = "suite/world.rs"]
mod world;

fn claim_release(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("needbridge-micro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let sqlite = SqliteStore::open_with(
        dir.join("micro.db"),
        SqliteOptions {
            synchronous: Synchronous::Normal,
            ..Default::default()
        },
    )
    .expect("open");
    for (name, hub) in [
        (
            "memory",
            world::hub_on(needbridge::store::memory::MemoryStore::new()),
        ),
        ("sqlite-normal", world::hub_on(sqlite)),
    ] {
        let w = world::world(hub, 1, 1);
        let m = w.members[0];
        let actor = Actor::Member { member: m };
        let until = Utc::now() + Duration::days(30);
        c.bench_function(&format!("claim+release/{name}"), |b| {
            b.iter(|| {
                let claim = w
                    .hub
                    .run(
                        &actor,
                        ClaimNeed {
                            need: w.needs[0],
                            claimant: Claimant::Member(m),
                            promised_by: until,
                        },
                    )
                    .expect("claim");
                w.hub
                    .run(
                        &actor,
                        ReleaseClaim {
                            claim: claim.id,
                            reason: "bench".into(),
                        },
                    )
                    .expect("release");
            })
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn reads(c: &mut Criterion) {
    let (path, district) = report::cached_sqlite(10_000);
    let hub = Hub::open(&path).expect("open");
    let admin = Actor::DistrictAdmin { district };
    let published = NeedQuery {
        statuses: vec![NeedStatus::Published],
        limit: 20,
        ..Default::default()
    };
    c.bench_function("library page/district published", |b| {
        b.iter(|| black_box(hub.library(&admin, &published).expect("page")))
    });
    let committee = hub
        .library(&admin, &published)
        .expect("page")
        .needs
        .first()
        .expect("a need")
        .committee;
    let staff = Actor::CommitteeStaff { unit: committee };
    let every = NeedQuery {
        limit: 20,
        ..Default::default()
    };
    c.bench_function("library page/committee every status", |b| {
        b.iter(|| black_box(hub.library(&staff, &every).expect("page")))
    });
    let year = Period {
        from: Some(chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 1, 1, 0, 0, 0).unwrap()),
        to: Some(chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap()),
    };
    c.bench_function("report/district 2025 warm", |b| {
        b.iter(|| {
            black_box(
                hub.report(&Actor::System, ReportScope::Unit(district), year)
                    .expect("report"),
            )
        })
    });
    c.bench_function("frame/claims 10k district", |b| {
        b.iter(|| {
            black_box(
                hub.frame(&Actor::System, FrameKind::Claims, district)
                    .expect("frame"),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = claim_release, reads
}
criterion_main!(benches);
