//! Frames: the Hub's reads as columns, with the same authorization and masking.

use needbridge::frame::{Column, FrameKind};
use needbridge::model::*;
use needbridge::store::ClaimFilter;
use needbridge::{Actor, ErrorKind};
use needbridge_acceptance::{member, Backend, World};

const SYS: Actor = Actor::System;

fn text(f: &needbridge::frame::Frame, name: &str) -> Vec<Option<String>> {
    match f.columns.iter().find(|(n, _)| n == name).map(|(_, c)| c) {
        Some(Column::Text(v)) | Some(Column::Code(v)) => v.clone().into(),
        other => panic!("{name}: {other:?}"),
    }
}

/// Every kind of frame has equal-length columns and the rows the matching read returns.
fn frames_hold_what_the_reads_return(b: Backend) {
    let w = World::on(b);
    w.record_patrol();
    let claims = w
        .hub
        .claims(
            &SYS,
            &ClaimFilter {
                unit: Some(w.district),
                ..Default::default()
            },
        )
        .unwrap();
    let f = w.hub.frame(&SYS, FrameKind::Claims, w.district).unwrap();
    assert_eq!(f.rows(), claims.len());
    assert!(f.columns.iter().all(|(_, c)| c.len() == claims.len()));
    let ids: Vec<Option<String>> = claims.iter().map(|c| Some(c.id.to_string())).collect();
    assert_eq!(text(&f, "id"), ids);
    assert_eq!(
        text(&f, "status"),
        claims
            .iter()
            .map(|c| Some(c.status.as_str().to_string()))
            .collect::<Vec<_>>()
    );
    for kind in [
        FrameKind::Needs,
        FrameKind::Members,
        FrameKind::Teams,
        FrameKind::Activities,
        FrameKind::Ledger,
    ] {
        let f = w.hub.frame(&w.admin(), kind, w.district).unwrap();
        assert!(f.rows() > 0, "{kind:?}");
        assert!(
            f.columns.iter().all(|(_, c)| c.len() == f.rows()),
            "{kind:?}"
        );
    }
    // The project library's rules: a member sees public needs only.
    let all = w
        .hub
        .frame(&w.admin(), FrameKind::Needs, w.district)
        .unwrap();
    let public = w
        .hub
        .frame(&member(w.loner_a), FrameKind::Needs, w.district)
        .unwrap();
    assert!(public.rows() < all.rows());
    assert!(text(&public, "status").iter().all(|s| s
        .as_deref()
        .and_then(|s| NeedStatus::parse("status", s).ok())
        .is_some_and(|s| s.is_public())));
}

/// Personal data in frames is masked exactly as in the reads; members' lists need staff.
fn frames_mask_personal_data(b: Backend) {
    let w = World::on(b);
    let staff = w
        .hub
        .frame(&w.staff_a(), FrameKind::Members, w.committee_a)
        .unwrap();
    let phones = text(&staff, "phone");
    assert!(phones.iter().any(|p| p.as_deref() == Some("13800000001")));
    let e = w
        .hub
        .frame(&member(w.member_a), FrameKind::Members, w.committee_a)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    let ledger = w
        .hub
        .frame(&w.staff_a(), FrameKind::Ledger, w.committee_a)
        .unwrap();
    assert!(!text(&ledger, "resident")
        .iter()
        .any(|r| r.as_deref() == Some("陈大爷")));
}

/// Frames of a wide scope (more committees than the SQL stores walk one by one) are read by
/// a table scan — on SQLite by two connections at once, half the table each — and then put
/// in id order: rows stored out of id order (restored in reverse) still give the memory
/// reference's frames, claims' items included.
fn wide_frames_of_rows_out_of_order_equal_the_memory_reference(b: Backend) {
    use needbridge::command::CreateUnit;
    let w = World::on(Backend::Memory);
    for i in 0..4 {
        w.hub
            .run(
                &w.admin(),
                CreateUnit {
                    kind: UnitKind::Committee,
                    name: format!("新建{i}社区居委会"),
                    parent: Some(w.community),
                },
            )
            .unwrap();
    }
    let (fresh, hub) = needbridge_acceptance::rebuilt_copy(&w, b, true);
    let snap = w.dump();
    let mem =
        needbridge::Hub::new(needbridge::store::memory::MemoryStore::from_snapshot(snap)).unwrap();
    let mut claims_seen = 0;
    for kind in [FrameKind::Needs, FrameKind::Claims] {
        for unit in [w.district, w.community, w.committee_a] {
            let got = hub.frame(&SYS, kind, unit).unwrap();
            assert_eq!(
                got,
                mem.frame(&SYS, kind, unit).unwrap(),
                "{kind:?} {unit:?}"
            );
            let ids = text(&got, "id");
            assert!(ids.windows(2).all(|p| p[0] < p[1]), "{kind:?}: in id order");
            if kind == FrameKind::Claims {
                claims_seen = claims_seen.max(got.rows());
            }
        }
    }
    assert!(claims_seen >= 2, "the world has claims to read");
    drop(fresh);
}

needbridge_acceptance::conformance!(
    wide_frames_of_rows_out_of_order_equal_the_memory_reference,
    frames_hold_what_the_reads_return,
    frames_mask_personal_data
);
