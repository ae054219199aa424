//! A committee's own categories under the district's taxonomy: the district admin keeps the
//! top level; a committee's staff (or the admin) add categories under a top-level one, which
//! only that committee's needs may use; reports count them by their own code and name them.

use chrono::Duration;
use needbridge::command::*;
use needbridge::model::*;
use needbridge::report::{Period, ReportScope};
use needbridge::{Error, ErrorKind};
use needbridge_acceptance::{staff, t0, Backend, World};

fn own(code: &str, parent: Option<&str>, committee: Option<UnitId>) -> DefineCategory {
    DefineCategory {
        code: code.into(),
        name_zh: "送餐上门".into(),
        name_en: "Meals delivered".into(),
        parent: parent.map(Into::into),
        committee,
    }
}

fn draft(
    w: &World,
    committee: UnitId,
    resident: ResidentId,
    category: &str,
) -> Result<Need, Error> {
    w.hub.run(
        &staff(committee),
        DraftNeed {
            committee,
            grid: None,
            resident: Some(resident),
            institution: None,
            title: "每周送餐".into(),
            description: "独居老人".into(),
            category: category.into(),
            channel: Channel::Family,
            scale: Scale::Individual,
            estimated_cost_fen: 0,
            wanted_by: t0() + Duration::days(7),
            beneficiaries: Vec::new(),
            recurrence: None,
            place: None,
            location: None,
        },
    )
}

fn invalid(r: Result<impl std::fmt::Debug, Error>, field: &str) {
    match r {
        Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
        other => panic!("expected Invalid {field}, got {other:?}"),
    }
}

fn committees_define_their_own_categories(b: Backend) {
    let w = World::on(b);
    let a = w.committee_a;
    // The top level is the district admin's.
    let e = w
        .hub
        .run(&w.staff_a(), own("meals", None, None))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    // Another committee's staff may not add to committee A's.
    let e = w
        .hub
        .run(
            &staff(w.committee_b),
            own("meals", Some("festival_goods"), Some(a)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden);
    // Both halves, a top-level parent, a committee.
    invalid(
        w.hub
            .run(&w.staff_a(), own("meals", Some("festival_goods"), None)),
        "committee",
    );
    invalid(
        w.hub.run(&w.staff_a(), own("meals", None, Some(a))),
        "parent",
    );
    invalid(
        w.hub
            .run(&w.staff_a(), own("meals", Some("no_such"), Some(a))),
        "parent",
    );
    invalid(
        w.hub.run(
            &w.admin(),
            own("meals", Some("festival_goods"), Some(w.grid_a)),
        ),
        "committee",
    );
    let before = w.hub.categories().unwrap().len();

    let meals = w
        .hub
        .run(&w.staff_a(), own("meals", Some("festival_goods"), Some(a)))
        .unwrap();
    assert_eq!(
        (meals.parent.as_deref(), meals.committee),
        (Some("festival_goods"), Some(a))
    );
    // A committee's category is no parent; codes stay unique across the district.
    invalid(
        w.hub
            .run(&w.staff_a(), own("meals_daily", Some("meals"), Some(a))),
        "parent",
    );
    let e = w
        .hub
        .run(
            &w.admin(),
            own("meals", Some("festival_goods"), Some(w.committee_b)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    // The admin may add one for a committee too.
    w.hub
        .run(
            &w.admin(),
            own("repairs", Some("festival_goods"), Some(w.committee_b)),
        )
        .unwrap();
    assert_eq!(w.hub.categories().unwrap().len(), before + 2);

    // Only committee A's needs may use its category.
    let need = draft(&w, a, w.resident_a, "meals").unwrap();
    invalid(draft(&w, w.committee_b, w.resident_b, "meals"), "category");
    w.hub
        .run(&w.staff_a(), PublishNeed { need: need.id })
        .unwrap();
    let r = w
        .hub
        .report(&w.admin(), ReportScope::Unit(w.district), Period::ALL)
        .unwrap();
    assert_eq!(r.data.by_category["meals"].needs_collected, 1);
    assert_eq!(
        r.category_names["meals"],
        ("送餐上门".to_string(), "Meals delivered".to_string())
    );
}

needbridge_acceptance::conformance!(committees_define_their_own_categories);
