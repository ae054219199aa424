//! The state machines of needs and claims, as tables. A transition not in a table is an
//! [`Error::IllegalState`].

use crate::error::{Error, Result};
use crate::model::{ClaimStatus, NeedStatus};

/// Something that moves a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedStep {
    /// The drafter or staff submit a draft for checking.
    Submit,
    /// Staff publish it into the library.
    Publish,
    /// Staff refuse it.
    Reject,
    /// Staff take it back.
    Withdraw,
    /// Its wanted-by date passed unclaimed.
    Expire,
    /// Someone claims it.
    Claim,
    /// The claimant starts work.
    Start,
    /// The claimant reports it done.
    Complete,
    /// Staff send the work back.
    SendBack,
    /// Staff verify the work.
    Verify,
    /// The claim was released or lapsed: back to the library.
    Return,
    /// The resident is satisfied.
    Satisfied,
    /// The resident is not satisfied: reopen.
    NotSatisfied,
}

impl NeedStep {
    fn verb(&self) -> &'static str {
        match self {
            NeedStep::Submit => "submit",
            NeedStep::Publish => "publish",
            NeedStep::Reject => "reject",
            NeedStep::Withdraw => "withdraw",
            NeedStep::Expire => "expire",
            NeedStep::Claim => "claim",
            NeedStep::Start => "start work on",
            NeedStep::Complete => "complete",
            NeedStep::SendBack => "send back",
            NeedStep::Verify => "verify",
            NeedStep::Return => "return to the library",
            NeedStep::Satisfied | NeedStep::NotSatisfied => "record feedback on",
        }
    }
}

/// The status a need moves to, or why it cannot.
pub fn need_next(from: NeedStatus, step: NeedStep) -> Result<NeedStatus> {
    use NeedStatus as S;
    use NeedStep as T;
    let to = match (step, from) {
        (T::Submit, S::Draft) => S::Submitted,
        (T::Publish, S::Draft | S::Submitted) => S::Published,
        (T::Reject, S::Submitted) => S::Rejected,
        (T::Withdraw, S::Draft | S::Submitted | S::Published | S::Reopened) => S::Withdrawn,
        (T::Expire, S::Published | S::Reopened) => S::Expired,
        (T::Claim, S::Published | S::Reopened) => S::Claimed,
        (T::Start, S::Claimed) => S::InProgress,
        (T::Complete, S::Claimed | S::InProgress) => S::Done,
        (T::SendBack, S::Done) => S::InProgress,
        (T::Verify, S::Done) => S::Verified,
        (T::Return, S::Claimed | S::InProgress) => S::Published,
        (T::Satisfied, S::Verified) => S::Verified,
        (T::NotSatisfied, S::Verified) => S::Reopened,
        _ => return Err(Error::illegal("need", from, step.verb())),
    };
    Ok(to)
}

/// Something that moves a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimStep {
    /// Start work.
    Start,
    /// Move the promised date (also: emit the due-soon warning).
    Extend,
    /// Give it back.
    Release,
    /// The promised date passed.
    Lapse,
    /// Report it done with a fulfilment record.
    Complete,
    /// The committee sends it back.
    SendBack,
    /// The committee verifies it.
    Verify,
}

impl ClaimStep {
    fn verb(&self) -> &'static str {
        match self {
            ClaimStep::Start => "start",
            ClaimStep::Extend => "extend",
            ClaimStep::Release => "release",
            ClaimStep::Lapse => "lapse",
            ClaimStep::Complete => "complete",
            ClaimStep::SendBack => "send back",
            ClaimStep::Verify => "verify",
        }
    }
}

/// The status a claim moves to, or why it cannot.
pub fn claim_next(from: ClaimStatus, step: ClaimStep) -> Result<ClaimStatus> {
    use ClaimStatus as S;
    use ClaimStep as T;
    let to = match (step, from) {
        (T::Start, S::Active) => S::InProgress,
        (T::Extend, S::Active | S::InProgress) => from,
        (T::Release, S::Active | S::InProgress) => S::Released,
        (T::Lapse, S::Active | S::InProgress) => S::Lapsed,
        (T::Complete, S::Active | S::InProgress) => S::Done,
        (T::SendBack, S::Done) => S::InProgress,
        (T::Verify, S::Done) => S::Verified,
        _ => return Err(Error::illegal("claim", from, step.verb())),
    };
    Ok(to)
}

/// The need status that corresponds to a live claim status.
pub fn need_status_for_live_claim(claim: ClaimStatus) -> Option<NeedStatus> {
    match claim {
        ClaimStatus::Active => Some(NeedStatus::Claimed),
        ClaimStatus::InProgress => Some(NeedStatus::InProgress),
        ClaimStatus::Done => Some(NeedStatus::Done),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    const NEED_STEPS: &[NeedStep] = &[
        NeedStep::Submit,
        NeedStep::Publish,
        NeedStep::Reject,
        NeedStep::Withdraw,
        NeedStep::Expire,
        NeedStep::Claim,
        NeedStep::Start,
        NeedStep::Complete,
        NeedStep::SendBack,
        NeedStep::Verify,
        NeedStep::Return,
        NeedStep::Satisfied,
        NeedStep::NotSatisfied,
    ];

    /// Every legal need transition, written out independently of `need_next`.
    fn legal_need(step: NeedStep, from: NeedStatus) -> Option<NeedStatus> {
        use NeedStatus::*;
        let table: &[(NeedStep, NeedStatus, NeedStatus)] = &[
            (NeedStep::Submit, Draft, Submitted),
            (NeedStep::Publish, Draft, Published),
            (NeedStep::Publish, Submitted, Published),
            (NeedStep::Reject, Submitted, Rejected),
            (NeedStep::Withdraw, Draft, Withdrawn),
            (NeedStep::Withdraw, Submitted, Withdrawn),
            (NeedStep::Withdraw, Published, Withdrawn),
            (NeedStep::Withdraw, Reopened, Withdrawn),
            (NeedStep::Expire, Published, Expired),
            (NeedStep::Expire, Reopened, Expired),
            (NeedStep::Claim, Published, Claimed),
            (NeedStep::Claim, Reopened, Claimed),
            (NeedStep::Start, Claimed, InProgress),
            (NeedStep::Complete, Claimed, Done),
            (NeedStep::Complete, InProgress, Done),
            (NeedStep::SendBack, Done, InProgress),
            (NeedStep::Verify, Done, Verified),
            (NeedStep::Return, Claimed, Published),
            (NeedStep::Return, InProgress, Published),
            (NeedStep::Satisfied, Verified, Verified),
            (NeedStep::NotSatisfied, Verified, Reopened),
        ];
        table
            .iter()
            .find(|(s, f, _)| *s == step && *f == from)
            .map(|t| t.2)
    }

    #[test]
    fn every_need_transition_legal_and_illegal() {
        let mut legal = 0;
        for &from in NeedStatus::ALL {
            for &step in NEED_STEPS {
                match (legal_need(step, from), need_next(from, step)) {
                    (Some(want), Ok(got)) => {
                        assert_eq!(want, got, "{step:?} from {from}");
                        legal += 1;
                    }
                    (None, Err(e)) => assert_eq!(e.kind(), ErrorKind::IllegalState),
                    (want, got) => panic!("{step:?} from {from}: want {want:?}, got {got:?}"),
                }
            }
        }
        assert_eq!(legal, 21);
        // Terminal statuses accept no step at all.
        for from in [
            NeedStatus::Rejected,
            NeedStatus::Withdrawn,
            NeedStatus::Expired,
        ] {
            assert!(NEED_STEPS.iter().all(|s| need_next(from, *s).is_err()));
        }
    }

    #[test]
    fn every_claim_transition_legal_and_illegal() {
        use ClaimStatus::*;
        let table: &[(ClaimStep, ClaimStatus, ClaimStatus)] = &[
            (ClaimStep::Start, Active, InProgress),
            (ClaimStep::Extend, Active, Active),
            (ClaimStep::Extend, InProgress, InProgress),
            (ClaimStep::Release, Active, Released),
            (ClaimStep::Release, InProgress, Released),
            (ClaimStep::Lapse, Active, Lapsed),
            (ClaimStep::Lapse, InProgress, Lapsed),
            (ClaimStep::Complete, Active, Done),
            (ClaimStep::Complete, InProgress, Done),
            (ClaimStep::SendBack, Done, InProgress),
            (ClaimStep::Verify, Done, Verified),
        ];
        let steps = [
            ClaimStep::Start,
            ClaimStep::Extend,
            ClaimStep::Release,
            ClaimStep::Lapse,
            ClaimStep::Complete,
            ClaimStep::SendBack,
            ClaimStep::Verify,
        ];
        for &from in ClaimStatus::ALL {
            for step in steps {
                let want = table
                    .iter()
                    .find(|(s, f, _)| *s == step && *f == from)
                    .map(|t| t.2);
                match (want, claim_next(from, step)) {
                    (Some(w), Ok(g)) => assert_eq!(w, g),
                    (None, Err(e)) => {
                        assert_eq!(e.kind(), ErrorKind::IllegalState);
                        assert!(e.to_string().contains(from.as_str()));
                    }
                    (w, g) => panic!("{step:?} from {from}: want {w:?}, got {g:?}"),
                }
            }
        }
        // Live statuses and the need statuses they imply.
        assert_eq!(
            need_status_for_live_claim(Active),
            Some(NeedStatus::Claimed)
        );
        assert_eq!(
            need_status_for_live_claim(InProgress),
            Some(NeedStatus::InProgress)
        );
        assert_eq!(need_status_for_live_claim(Done), Some(NeedStatus::Done));
        for s in [Verified, Released, Lapsed] {
            assert!(!s.is_live());
            assert_eq!(need_status_for_live_claim(s), None);
        }
    }
}
