//! Places: a need or an activity may carry where the work is done and its coordinates; staff
//! list needs near a point exactly, everyone else sees places to about 100 m, distances to
//! 100 m and may not ask within less than 200 m — a need's place never pinpoints a door.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::{Actor, Error};
use needbridge_acceptance::{draft_again, member, staff, Backend, World};

/// 凤凰社区, Zhongshan District, Liupanshui (about 26.59° N, 104.83° E).
const CENTRE: GeoPoint = GeoPoint {
    lat_e6: 26_594_321,
    lon_e6: 104_832_654,
};

/// `metres` north of the centre (1° of latitude ≈ 111,195 m).
fn north(metres: i32) -> GeoPoint {
    GeoPoint {
        lat_e6: CENTRE.lat_e6 + (f64::from(metres) / 111_195.0 * 1e6).round() as i32,
        lon_e6: CENTRE.lon_e6,
    }
}

fn need_at(w: &World, title: &str, at: Option<GeoPoint>) -> Need {
    let n = w
        .hub
        .run(
            &w.staff_a(),
            DraftNeed {
                committee: w.committee_a,
                grid: None,
                resident: Some(w.resident_a),
                institution: None,
                title: title.into(),
                description: "楼道灯坏了".into(),
                category: "festival_goods".into(),
                channel: Channel::Courtyard,
                scale: Scale::Collective,
                estimated_cost_fen: 0,
                wanted_by: w.hub.now() + Duration::days(10),
                beneficiaries: vec![],
                recurrence: None,
                place: Some("凤凰路3号院2单元楼道".into()),
                location: at,
            },
        )
        .unwrap();
    w.hub.run(&w.staff_a(), PublishNeed { need: n.id }).unwrap()
}

fn invalid(r: Result<impl std::fmt::Debug, Error>, field: &str) {
    match r {
        Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected Invalid {field}, got {other:?}"),
    }
}

fn needs_near_a_point(b: Backend) {
    let w = World::on(b);
    let near = need_at(&w, "楼道灯", Some(north(120)));
    let far = need_at(&w, "院坝积水", Some(north(900)));
    need_at(&w, "没有坐标", None);
    assert_eq!(near.place.as_deref(), Some("凤凰路3号院2单元楼道"));
    assert_eq!(near.location, Some(north(120)), "staff see it exactly");
    invalid(
        w.hub.run(
            &w.staff_a(),
            DraftNeed {
                location: Some(GeoPoint {
                    lat_e6: 91_000_000,
                    lon_e6: 0,
                }),
                ..draft_again(&near)
            },
        ),
        "location.lat_e6",
    );

    // Staff: exact places and distances, nearest first, within the radius only.
    let got = w
        .hub
        .needs_near(&w.staff_a(), w.committee_a, CENTRE, 500, 0)
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].need.id, near.id);
    assert!((115..=125).contains(&got[0].metres), "{}", got[0].metres);
    let got = w
        .hub
        .needs_near(&w.staff_a(), w.committee_a, CENTRE, 1_000, 0)
        .unwrap();
    assert_eq!(
        got.iter().map(|x| x.need.id).collect::<Vec<_>>(),
        vec![near.id, far.id]
    );

    // A member: places to 0.001°, distances to 100 m, never within less than 200 m.
    let me = member(w.member_a);
    let got = w
        .hub
        .needs_near(&me, w.committee_a, CENTRE, 1_000, 0)
        .unwrap();
    assert_eq!(got.len(), 2);
    for x in &got {
        let l = x.need.location.unwrap();
        assert_eq!((l.lat_e6 % 1000, l.lon_e6 % 1000), (0, 0), "coarse: {l:?}");
        assert_eq!(x.metres % 100, 0);
    }
    assert_eq!(
        w.hub.need(&me, near.id).unwrap().location,
        Some(north(120).coarse())
    );
    assert_eq!(
        w.hub.need(&w.staff_a(), near.id).unwrap().location,
        Some(north(120))
    );
    invalid(
        w.hub.needs_near(&me, w.committee_a, CENTRE, 150, 0),
        "within_m",
    );
    invalid(
        w.hub.needs_near(&w.staff_a(), w.committee_a, CENTRE, 0, 0),
        "within_m",
    );
    // Another committee's staff see committee A's published needs like anyone.
    let other = w
        .hub
        .needs_near(&staff(w.committee_b), w.committee_a, CENTRE, 1_000, 0)
        .unwrap();
    assert_eq!(other.len(), 2);
    assert_ne!(other[0].need.location, Some(north(120)));
    // Drafts are only for those who oversee the committee.
    let draft = w
        .hub
        .run(
            &w.staff_a(),
            DraftNeed {
                title: "草稿".into(),
                ..draft_again(&near)
            },
        )
        .unwrap();
    let ids = |a: &Actor| -> Vec<NeedId> {
        w.hub
            .needs_near(a, w.committee_a, CENTRE, 1_000, 0)
            .unwrap()
            .into_iter()
            .map(|x| x.need.id)
            .collect()
    };
    assert!(ids(&w.staff_a()).contains(&draft.id));
    assert!(!ids(&me).contains(&draft.id));
    assert_eq!(
        w.hub
            .needs_near(&me, w.committee_a, CENTRE, 1_000, 0)
            .map(|v| v.len())
            .unwrap_or(0),
        2
    );
}

needbridge_acceptance::conformance!(needs_near_a_point);
