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
