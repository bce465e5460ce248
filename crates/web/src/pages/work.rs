//! Lists across cases: "my work" (tasks, intervention reviews, register checks and, for
//! coordinators, referrals awaiting screening; due and overdue first), the expected
//! releases from prison within 90 days, and the mentoring programme's six-month figure.

use super::*;
use infohus_domain::casework::RELEASE_HORIZON_DAYS;
use infohus_store::WorkScope;

/// The "my work" page in a scope, with a notice after a redirect.
pub(super) fn work_href(scope: WorkScope, status: Option<&str>) -> String {
    let mut query = Vec::new();
    if scope == WorkScope::Agency {
        query.push("omfang=myndighed".to_owned());
    }
    if let Some(status) = status {
        query.push(format!("status={status}"));
    }
    if query.is_empty() { "/mit-arbejde".to_owned() } else { format!("/mit-arbejde?{}", query.join("&")) }
}

pub(super) struct WorkTask {
    id: String,
    title: String,
    case_id: String,
    due: String,
    overdue: bool,
    due_today: bool,
    owner: String,
    assignee: String,
    /// The done button's accessible name: which task it completes.
    done_label: String,
}

pub(super) struct WorkReview {
    id: String,
    person: String,
    kind: String,
    review: String,
    overdue: bool,
    due_today: bool,
}

pub(super) struct WorkReferral {
    id: String,
    received: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "my_work.html")]
pub(super) struct MyWorkPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    csrf: String,
    notice: Option<String>,
    /// Showing everything the agency owns rather than the user's own.
    agency_scope: bool,
    /// Mentors have no agency view: their own interventions are all they see.
    show_toggle: bool,
    /// Where a done button returns to (`work`, `work-agency`).
    back: &'static str,
    show_tasks: bool,
    tasks: Vec<WorkTask>,
    reviews: Vec<WorkReview>,
    checks: Vec<WorkReferral>,
    awaiting: Option<Vec<WorkReferral>>,
}

fn referral_row(state: &AppState, id: &ReferralId, received_at: OffsetDateTime, today: Date) -> WorkReferral {
    let due = state.screening_due(received_at);
    WorkReferral {
        id: id.as_str().to_owned(),
        received: da_date(copenhagen(received_at).date()),
        due: or_dash(due.map(da_date)),
        overdue: due.is_some_and(|d| today > d),
    }
}

pub(super) async fn my_work(State(state): State<AppState>, user: WebUser, RawQuery(raw): RawQuery) -> Response {
    let active = "/mit-arbejde";
    let role = user.actor.role();
    if !matches!(role, Role::Coordinator | Role::Member | Role::Mentor) {
        return error_page(&state, &user, active, ApiError::Forbidden).await;
    }
    let query = QueryParams::parse(raw.as_deref()).ok();
    let agency_scope = role != Role::Mentor && query.as_ref().and_then(|q| q.get("omfang")) == Some("myndighed");
    let scope = if agency_scope { WorkScope::Agency } else { WorkScope::Mine };
    let work = match state.store().my_work(&user.actor, scope, state.now()).await {
        Ok(work) => work,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let infohus = user.actor.infohus();
    let (users, types) = match (state.store().active_users(infohus).await, state.store().intervention_types().await) {
        (Ok(users), Ok(types)) => (users, types),
        (Err(e), _) | (_, Err(e)) => return error_page(&state, &user, active, e.into()).await,
    };
    let today = state.today();
    let mut checks: Vec<WorkReferral> =
        work.checks.iter().map(|c| referral_row(&state, &c.referral_id, c.received_at, today)).collect();
    checks.sort_by_key(|r| !r.overdue);
    let awaiting = (role == Role::Coordinator).then(|| {
        let mut rows: Vec<WorkReferral> = work
            .awaiting_screening
            .iter()
            .map(|r| referral_row(&state, &r.referral_id, r.received_at, today))
            .collect();
        // Received earliest is due earliest; the overdue ones lead.
        rows.sort_by_key(|r| !r.overdue);
        rows
    });
    let page = MyWorkPage {
        t: t(),
        title: t().get("work.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        csrf: user.csrf.clone(),
        notice: notice_for(query.as_ref().and_then(|q| q.get("status")), &[("udfoert", "case.task_done")]),
        agency_scope,
        show_toggle: role != Role::Mentor,
        back: if agency_scope { "work-agency" } else { "work" },
        show_tasks: role != Role::Mentor,
        tasks: work
            .tasks
            .iter()
            .map(|task| WorkTask {
                id: task.id.as_str().to_owned(),
                title: task.title.expose().clone(),
                case_id: task.case_id.as_str().to_owned(),
                due: da_date(task.due_on),
                overdue: task.due_on < today,
                due_today: task.due_on == today,
                owner: task.owner_agency.name.clone(),
                assignee: or_dash(task.assignee.as_deref().map(|a| user_name(&users, a))),
                done_label: t().format("work.done_named", &[("title", task.title.expose())]),
            })
            .collect(),
        reviews: work
            .reviews
            .iter()
            .map(|r| WorkReview {
                id: r.intervention_id.as_str().to_owned(),
                person: r.person_name.expose().clone(),
                kind: intervention_kind_label(&types, &r.kind),
                review: da_date(r.review_on),
                overdue: r.review_on < today,
                due_today: r.review_on == today,
            })
            .collect(),
        checks,
        awaiting,
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

// ---- releases --------------------------------------------------------------------------

pub(super) struct ReleaseRow {
    date: String,
    days_left: i64,
    person: String,
    case_id: String,
    lead: String,
}

#[derive(Template)]
#[template(path = "releases.html")]
pub(super) struct ReleasesPage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    lead: String,
    rows: Vec<ReleaseRow>,
}

pub(super) async fn releases(State(state): State<AppState>, user: WebUser) -> Response {
    let active = "/loesladelser";
    if !matches!(user.actor.role(), Role::Coordinator | Role::Member) {
        return error_page(&state, &user, active, ApiError::Forbidden).await;
    }
    let today = state.today();
    let notices = match state.store().releases(&user.actor, today, state.now()).await {
        Ok(notices) => notices,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let page = ReleasesPage {
        t: t(),
        title: t().get("releases.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        lead: t().format("releases.lead", &[("days", &RELEASE_HORIZON_DAYS.to_string())]),
        rows: notices
            .iter()
            .map(|n| ReleaseRow {
                date: da_date(n.expected_on),
                days_left: (n.expected_on - today).whole_days(),
                person: n.person_name.expose().clone(),
                case_id: n.case_id.as_str().to_owned(),
                lead: n.lead_agency.clone(),
            })
            .collect(),
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

// ---- the mentoring programme's figure --------------------------------------------------

#[derive(Template)]
#[template(path = "mentoring_figure.html")]
pub(super) struct MentoringFigurePage {
    t: &'static Catalog,
    title: String,
    infohus_name: String,
    user: Option<UserBar>,
    in_programme: usize,
    followed_up: usize,
    moved: usize,
    share: String,
}

/// "X af Y (Z %)", the percentage rounded to a whole number; only for display.
pub(super) fn share_text(numerator: usize, denominator: usize) -> String {
    if denominator == 0 {
        return t().get("mentoring.share_none").to_owned();
    }
    let percent = (numerator * 100 + denominator / 2) / denominator;
    t().format(
        "mentoring.share",
        &[("x", &numerator.to_string()), ("y", &denominator.to_string()), ("z", &percent.to_string())],
    )
}

pub(super) async fn mentoring_figure(State(state): State<AppState>, user: WebUser) -> Response {
    let active = "/statistik/mentorforloeb";
    let figure = match state.store().mentoring_figure(&user.actor, state.now()).await {
        Ok(figure) => figure,
        Err(e) => return error_page(&state, &user, active, e.into()).await,
    };
    let (x, y) = figure.share();
    let page = MentoringFigurePage {
        t: t(),
        title: t().get("mentoring.title").to_owned(),
        infohus_name: infohus_name(&state, Some(&user.actor)).await,
        in_programme: figure.persons_in_programme,
        followed_up: figure.followed_up,
        moved: figure.moved_right_direction,
        share: share_text(x, y),
        user: Some(user_bar(&user, active)),
    };
    render(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_is_rounded_for_display_and_says_when_nobody_was_followed_up() {
        assert_eq!(share_text(1, 3), "1 af 3 (33 %)");
        assert_eq!(share_text(2, 3), "2 af 3 (67 %)");
        assert_eq!(share_text(0, 0), Catalog::danish().get("mentoring.share_none"));
    }

    #[test]
    fn my_work_links_keep_the_scope() {
        assert_eq!(work_href(WorkScope::Mine, None), "/mit-arbejde");
        assert_eq!(work_href(WorkScope::Agency, Some("udfoert")), "/mit-arbejde?omfang=myndighed&status=udfoert");
    }
}
