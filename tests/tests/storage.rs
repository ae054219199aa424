//! Storage-level conformance: awkward values round-trip exactly (or are refused with
//! `Invalid` and nothing written) on every backend; the PostgreSQL schema upgrades from
//! every earlier version to the same schema as a fresh one, and a newer schema is refused.

use chrono::{DateTime, Duration, TimeZone, Utc};
use needbridge::command::*;
use needbridge::model::*;
use needbridge::rules::validate::{MAX_COUNT, MAX_FEN, MAX_NAME, MAX_TEXT, MAX_TITLE};
use needbridge::{Actor, Error};
use needbridge_acceptance::{Backend, World};

const NASTY: &[&str] = &[
    "'; DROP TABLE needs; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM claims WHERE ('1'='1",
    "%_\\%' ESCAPE '\\",
    "$1 $$ ?1 :name @p",
    "😀👩‍👩‍👧‍👦🇨🇳 书包",
    "ﬁ ß İ ǅ Ω",
    "a\u{00A0}b\u{3000}c",
];

fn far_future() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap() + Duration::microseconds(999_999)
}

/// Quotes, SQL fragments, emoji and other scripts are stored and read back exactly.
fn nasty_text_round_trips(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    for (i, t) in NASTY.iter().enumerate() {
        let title: String = t.chars().take(MAX_TITLE).collect();
        let n = w
            .hub
            .run(
                &st,
                DraftNeed {
                    committee: w.committee_a,
                    grid: None,
                    resident: w.resident_a,
                    title: title.clone(),
                    description: format!("{t}\n第二行\t{t}"),
                    category: "culture".into(),
                    channel: Channel::Community,
                    scale: Scale::Individual,
                    estimated_cost_fen: i as i64,
                    wanted_by: far_future(),
                },
            )
            .unwrap();
        let back = w.hub.need(&Actor::System, n.id).unwrap();
        assert_eq!(back, n, "{t:?}");
        assert_eq!(back.title, title.trim());
        assert_eq!(back.wanted_by, far_future());
        // The free-text search finds it by its own words.
        let word = title.split_whitespace().next().unwrap().to_string();
        let q = needbridge::hub::NeedQuery {
            text: Some(word),
            statuses: vec![NeedStatus::Draft],
            ..Default::default()
        };
        let hits = w.hub.library(&Actor::System, &q).unwrap();
        assert!(hits.needs.iter().any(|x| x.id == n.id), "search for {t:?}");
    }
    assert!(
        w.hub.units(&Actor::System, None, None).unwrap().len() >= 5,
        "no table was dropped"
    );
}

/// The longest texts and the largest and smallest numbers round-trip exactly.
fn limits_round_trip(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let name = "龘".repeat(MAX_NAME);
    let r = w
        .hub
        .run(
            &st,
            RegisterResident {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                name: name.clone(),
                phone: Some("08588221234".into()),
                id_number: None,
                address: Some("𠀀".repeat(MAX_TITLE)),
                groups: ResidentGroup::ALL.to_vec(),
            },
        )
        .unwrap();
    assert_eq!(w.hub.resident(&st, r.id).unwrap(), r);
    let n = w
        .hub
        .run(
            &st,
            DraftNeed {
                committee: w.committee_a,
                grid: Some(w.grid_a),
                resident: r.id,
                title: "x".repeat(MAX_TITLE),
                description: "长".repeat(MAX_TEXT),
                category: "health".into(),
                channel: Channel::Family,
                scale: Scale::Collective,
                estimated_cost_fen: MAX_FEN,
                wanted_by: far_future(),
            },
        )
        .unwrap();
    w.hub.run(&st, PublishNeed { need: n.id }).unwrap();
    let c = w
        .hub
        .run(
            &w.contact(),
            ClaimNeed {
                need: n.id,
                claimant: Claimant::Organisation(w.org),
                promised_by: far_future(),
            },
        )
        .unwrap();
    let f = Fulfilment {
        money_fen: MAX_FEN,
        items: (0..50)
            .map(|i| Item {
                count: MAX_COUNT,
                description: format!("物品{i}"),
            })
            .collect(),
        minutes: 1_000_000,
        people_served: MAX_COUNT,
        evidence: (0..50)
            .map(|i| format!("s3://bucket/证据-{i}.jpg"))
            .collect(),
        note: "注".repeat(MAX_TEXT),
    };
    let done = w
        .hub
        .run(
            &w.contact(),
            CompleteClaim {
                claim: c.id,
                fulfilment: f.clone(),
            },
        )
        .unwrap();
    assert_eq!(w.hub.claim(&Actor::System, c.id).unwrap(), done);
    assert_eq!(done.fulfilment, Some(f));
    w.hub.run(&st, VerifyClaim { claim: c.id }).unwrap();
    let org = w.hub.organisations(&Actor::System).unwrap().remove(0);
    assert_eq!(org.tally.money_fen, MAX_FEN + 30_000);
    assert_eq!(org.tally.items, 50 * u64::from(MAX_COUNT) + 3);
    // The smallest values: zero money, no items, an empty note.
    let n0 = w.hub.run(
        &st,
        DraftNeed {
            committee: w.committee_a,
            grid: None,
            resident: r.id,
            title: "零".into(),
            description: "零".into(),
            category: "health".into(),
            channel: Channel::Family,
            scale: Scale::Individual,
            estimated_cost_fen: 0,
            wanted_by: w.hub.now() + Duration::microseconds(1),
        },
    );
    assert_eq!(n0.unwrap().estimated_cost_fen, 0);
}

/// Values no backend could store exactly are refused with `Invalid`, and nothing is written.
fn unstorable_values_are_refused(b: Backend) {
    let w = World::on(b);
    let st = w.staff_a();
    let before = w.dump();
    let draft = |title: String, fen: i64, wanted_by: DateTime<Utc>| DraftNeed {
        committee: w.committee_a,
        grid: None,
        resident: w.resident_a,
        title,
        description: "d".into(),
        category: "health".into(),
        channel: Channel::Family,
        scale: Scale::Individual,
        estimated_cost_fen: fen,
        wanted_by,
    };
    let cases: Vec<(DraftNeed, &str)> = vec![
        (draft("a\0b".into(), 0, far_future()), "title"),
        (draft("x".repeat(1 << 20), 0, far_future()), "title"),
        (
            draft("ok".into(), i64::MAX, far_future()),
            "estimated_cost_fen",
        ),
        (
            draft("ok".into(), i64::MIN, far_future()),
            "estimated_cost_fen",
        ),
        (draft("ok".into(), 0, DateTime::<Utc>::MAX_UTC), "wanted_by"),
        (draft("ok".into(), 0, DateTime::<Utc>::MIN_UTC), "wanted_by"),
    ];
    for (cmd, field) in cases {
        match w.hub.run(&st, cmd) {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
    let e = w
        .hub
        .run(
            &w.contact(),
            CompleteClaim {
                claim: w.claim_verified,
                fulfilment: Fulfilment {
                    people_served: u32::MAX,
                    ..Default::default()
                },
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::Invalid { ref field, .. } if field == "fulfilment.people_served"));
    assert!(w.dump() == before, "nothing was written");
}

/// `Tx::count` equals the number of records `Tx::query` returns, for queries of every
/// shape (filters on units, statuses, claimants, text, times; nothing matching).
fn counts_equal_query_lengths(b: Backend) {
    use needbridge::store::{
        ActivityFilter, ClaimFilter, MemberFilter, NeedFilter, Page, Query, TeamFilter,
    };
    let w = World::on(b);
    let queries = vec![
        Query::Units {
            parent: None,
            kind: None,
        },
        Query::Units {
            parent: Some(w.community),
            kind: Some(UnitKind::Committee),
        },
        Query::Members(MemberFilter {
            unit: Some(w.committee_a),
            statuses: vec![MemberStatus::Accepted, MemberStatus::Reported],
            ..Default::default()
        }),
        Query::Needs(NeedFilter::default()),
        Query::Needs(NeedFilter {
            unit: Some(w.district),
            statuses: vec![NeedStatus::Published, NeedStatus::Claimed],
            ..Default::default()
        }),
        Query::Needs(NeedFilter {
            text: Some("NO-SUCH-WORD".into()),
            ..Default::default()
        }),
        Query::Claims(ClaimFilter::default()),
        Query::Claims(ClaimFilter {
            claimant: Some(Claimant::Member(w.member_a)),
            statuses: vec![
                ClaimStatus::Active,
                ClaimStatus::InProgress,
                ClaimStatus::Done,
            ],
            ..Default::default()
        }),
        Query::Claims(ClaimFilter {
            unit: Some(w.committee_b),
            ..Default::default()
        }),
        Query::Teams(TeamFilter {
            member: Some(w.captain_a),
            ..Default::default()
        }),
        Query::Activities(ActivityFilter::default()),
        Query::Residents {
            unit: Some(w.committee_a),
        },
    ];
    let mut tx = w.store.begin_read().unwrap();
    let mut nonzero = 0;
    for q in &queries {
        let n = tx.query(q, &Page::ALL).unwrap().len() as u64;
        assert_eq!(tx.count(q).unwrap(), n, "{q:?}");
        nonzero += usize::from(n > 0);
    }
    assert!(nonzero >= 8, "the fixture should make most queries match");
}

/// Pages of needs (the project library's query: a scope, a status list, a cursor) walked to
/// the end list exactly the records of the unpaged query, in id order, for every scope size
/// and page size — SQL backends answer pages with one branch per status (and committee).
fn needs_pages_equal_the_whole_query(b: Backend) {
    use needbridge::store::{NeedFilter, Page, Query, Record};
    let w = World::on(b);
    let mut tx = w.store.begin_read().unwrap();
    let all_statuses = vec![
        NeedStatus::Draft,
        NeedStatus::Submitted,
        NeedStatus::Published,
        NeedStatus::Claimed,
        NeedStatus::InProgress,
        NeedStatus::Done,
        NeedStatus::Verified,
    ];
    let mut checked = 0;
    for unit in [
        None,
        Some(w.district),
        Some(w.community),
        Some(w.committee_a),
        Some(w.committee_b),
        Some(w.grid_a),
    ] {
        for statuses in [
            vec![],
            vec![NeedStatus::Published],
            vec![NeedStatus::Published, NeedStatus::Claimed],
            all_statuses.clone(),
        ] {
            for scale in [None, Some(Scale::Individual)] {
                let q = Query::Needs(NeedFilter {
                    unit,
                    statuses: statuses.clone(),
                    scale,
                    ..Default::default()
                });
                let whole: Vec<_> = tx
                    .query(&q, &Page::ALL)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.id())
                    .collect();
                checked += whole.len();
                for size in [1, 2, 3, 50] {
                    let mut got = Vec::new();
                    let mut after = None;
                    loop {
                        let page = tx
                            .query(
                                &q,
                                &Page {
                                    after,
                                    limit: Some(size),
                                },
                            )
                            .unwrap();
                        assert!(page.len() <= size as usize);
                        assert!(page.iter().all(|r| matches!(r, Record::Need(_))));
                        let Some(last) = page.last() else { break };
                        after = Some(last.id());
                        got.extend(page.iter().map(|r| r.id()));
                    }
                    assert_eq!(got, whole, "{q:?} in pages of {size}");
                }
            }
        }
    }
    assert!(
        checked > 20,
        "the fixture should have needs to page through"
    );
}

/// A record read and then written again in the same transaction (SQL stores then write only
/// the columns that changed) reads back exactly as written — every field, its child rows
/// added, changed and removed, and after several writes in one transaction.
fn rewrites_in_one_transaction_round_trip(b: Backend) {
    use needbridge::store::{Kind, Record, TxExt};
    let w = World::on(b);
    let mut tx = w.store.begin_write().unwrap();
    let mut need: Need = tx.load(&w.need_open).unwrap().unwrap();
    need.committee = w.committee_b;
    need.grid = None;
    need.title = "改过的标题".into();
    need.status = NeedStatus::Withdrawn;
    need.claim_count += 7;
    need.published_at = None;
    tx.put(&Record::Need(need.clone())).unwrap();
    need.title = "又改了".into();
    tx.put(&Record::Need(need.clone())).unwrap();
    assert_eq!(
        tx.get(Kind::Need, need.id.0).unwrap(),
        Some(Record::Need(need.clone()))
    );
    let mut claim: Claim = tx.load(&w.claim_done).unwrap().unwrap();
    let f = claim
        .fulfilment
        .as_mut()
        .expect("a done claim has its fulfilment");
    f.items = vec![
        Item {
            count: 3,
            description: "书包".into(),
        },
        Item {
            count: 1,
            description: "台灯".into(),
        },
    ];
    f.money_fen += 1;
    tx.put(&Record::Claim(claim.clone())).unwrap();
    let unchanged = claim.clone();
    tx.put(&Record::Claim(unchanged)).unwrap();
    tx.commit().unwrap();
    let mut tx = w.store.begin_write().unwrap();
    assert_eq!(
        tx.get(Kind::Need, need.id.0).unwrap(),
        Some(Record::Need(need))
    );
    assert_eq!(
        tx.get(Kind::Claim, claim.id.0).unwrap(),
        Some(Record::Claim(claim.clone()))
    );
    claim.fulfilment = None;
    claim.status = ClaimStatus::Active;
    claim.completed_at = None;
    tx.put(&Record::Claim(claim.clone())).unwrap();
    tx.commit().unwrap();
    let mut tx = w.store.begin_read().unwrap();
    assert_eq!(
        tx.get(Kind::Claim, claim.id.0).unwrap(),
        Some(Record::Claim(claim))
    );
}

needbridge_acceptance::conformance!(
    nasty_text_round_trips,
    limits_round_trip,
    unstorable_values_are_refused,
    counts_equal_query_lengths,
    needs_pages_equal_the_whole_query,
    rewrites_in_one_transaction_round_trip
);

/// PostgreSQL: upgrading from every earlier schema version gives the same schema as a fresh
/// database, and a database from a newer needbridge is refused untouched.
#[test]
fn postgres_upgrades_equal_a_fresh_schema() {
    use needbridge::store::postgres::{PostgresOptions, PostgresStore, MIGRATIONS};
    let Some(base) = needbridge_acceptance::postgres_url() else {
        return;
    };
    let catalog = |s: &PostgresStore| -> Vec<String> {
        s.with_client(|c| {
            let mut out = Vec::new();
            for r in c
                .query(
                    "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') \
                     FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1",
                    &[],
                )
                .unwrap()
            {
                out.push(r.get::<_, String>(0));
            }
            for r in c
                .query("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname", &[])
                .unwrap()
            {
                let def: String = r.get(0);
                out.push(def.replace(&format!("{}.", current(c)), ""));
            }
            for r in c
                .query(
                    "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
                     WHERE connamespace = current_schema()::regnamespace ORDER BY 1",
                    &[],
                )
                .unwrap()
            {
                out.push(r.get::<_, String>(0));
            }
            out
        })
        .unwrap()
    };
    fn current(c: &mut ::postgres::Client) -> String {
        c.query_one("SELECT current_schema()", &[]).unwrap().get(0)
    }
    let fresh =
        PostgresStore::connect(&needbridge_acceptance::fresh_postgres_schema(&base)).unwrap();
    let want = catalog(&fresh);
    assert!(
        want.iter().any(|l| l.contains("claims_one_live_per_need")),
        "{want:?}"
    );
    for from in 0..MIGRATIONS.len() as u32 {
        let url = needbridge_acceptance::fresh_postgres_schema(&base);
        let old =
            PostgresStore::connect_at_version(&url, PostgresOptions::default(), from).unwrap();
        assert_eq!(old.schema_version().unwrap(), from);
        drop(old);
        let upgraded = PostgresStore::connect(&url).unwrap();
        assert_eq!(upgraded.schema_version().unwrap(), MIGRATIONS.len() as u32);
        assert_eq!(catalog(&upgraded), want, "upgrade from version {from}");
    }
    let url = needbridge_acceptance::fresh_postgres_schema(&base);
    let s = PostgresStore::connect(&url).unwrap();
    s.with_client(|c| {
        c.batch_execute("INSERT INTO schema_migrations VALUES (99, 'future', now())")
            .unwrap()
    })
    .unwrap();
    drop(s);
    let e = PostgresStore::connect(&url).unwrap_err();
    assert!(
        matches!(e, Error::Storage { ref message } if message.contains("newer")),
        "{e}"
    );
    let s = PostgresStore::connect_at_version(&url, PostgresOptions::default(), 0);
    assert!(s.is_err(), "still refused");
}
