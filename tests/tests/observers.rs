//! `Hub::on_commit`: observers see every committed event once, in commit order per thread,
//! and nothing for refused commands.

use needbridge::command::*;
use needbridge_acceptance::{member, Backend, World};
use std::sync::{Arc, Mutex};

fn observers_see_every_commit_and_nothing_else(b: Backend) {
    let w = World::on(b);
    let seen: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let s = seen.clone();
    w.hub
        .on_commit(move |e| s.lock().unwrap().push((e.seq, e.kind.clone())));
    let before = w.dump().events.len() as u64;
    w.hub
        .run(&w.staff_a(), SubmitNeed { need: w.need_draft })
        .unwrap();
    // Refused: a member may not publish.
    assert!(w
        .hub
        .run(&member(w.member_a), PublishNeed { need: w.need_open })
        .is_err());
    // Commits from several threads are all seen.
    std::thread::scope(|sc| {
        for n in [w.need_open, w.need_collective] {
            let w = &w;
            sc.spawn(move || {
                let _ = w.hub.run(
                    &w.staff_a(),
                    WithdrawNeed {
                        need: n,
                        reason: "已解决".into(),
                    },
                );
            });
        }
    });
    w.hub.tick().unwrap();
    let events = w.dump().events;
    let want: Vec<(u64, String)> = events
        .iter()
        .filter(|e| e.seq > before)
        .map(|e| (e.seq, e.kind.clone()))
        .collect();
    let mut got = seen.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(want[0].1, "need_submitted");
    assert!(want.iter().filter(|(_, k)| k == "need_withdrawn").count() == 2);
}

needbridge_acceptance::conformance!(observers_see_every_commit_and_nothing_else);
