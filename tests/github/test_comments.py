"""The sticky comment's lifecycle: ``sync_comments`` through the real adapter (PyGithub) against
the OpenAPI-checked fake: created once, edited in place, split and shrunk, quiet when nothing
changed, and nobody else's comment touched."""

from __future__ import annotations

import dataclasses

import pytest

from gitops_action.adapters.actions import ActionsEnv
from gitops_action.adapters.github import NO_PACING, GitHubClient
from gitops_action.adapters.github_retry import GITHUB_RETRY
from gitops_action.core.diff import compare
from gitops_action.models import ResourceDiff, ResourceKey, TargetReport
from gitops_action.report.comments import Synced, marker_of, sync_comments
from gitops_action.report.markdown import PlanContext, comment_parts, marker
from tests.ghfake import GitHubFake
from tests.manifests import configmap

REPO = "octo-org/app"
CTX = PlanContext(baseline="the base ref `origin/main`", revision="89abcdef01234567")
WRITES = ("POST", "PATCH", "DELETE")


def client(github: GitHubFake, token: str | None = None) -> GitHubClient:
    return GitHubClient(
        REPO,
        token or github.token,
        github.api_url,
        pacing=NO_PACING,
        retry=dataclasses.replace(GITHUB_RETRY, sleep=lambda seconds: None),
    )


def cm(name: str, value: str) -> dict[str, object]:
    return configmap(name, "web", v=value)


def plan(
    target: str = "staging", *, changes: int = 1, size: int = 10, value: str = "b"
) -> TargetReport:
    """``changes`` ConfigMaps updated from "a"*size to value*size, each its own change (equal
    changes would share one ``<details>``), and one unchanged."""
    rows = [
        compare(
            ResourceKey("", "ConfigMap", "web", f"cm-{i:03d}"),
            "v1",
            cm(f"cm-{i:03d}", f"{i}" + "a" * size),
            cm(f"cm-{i:03d}", f"{i}" + value * size),
        )
        for i in range(changes)
    ]
    same = ResourceDiff(ResourceKey("", "ConfigMap", "web", "same"), "v1", "unchanged")
    return TargetReport(target, (*rows, same))


def sync(github: GitHubFake, report: TargetReport, number: int = 1) -> Synced:
    parts = comment_parts(report, CTX)
    return sync_comments(client(github), number, report.name, parts, post=bool(report.changed))


def writes(github: GitHubFake) -> int:
    return sum(github.count(method, "*") for method in WRITES)


def bodies(github: GitHubFake, number: int = 1) -> list[str]:
    return [c.body for c in github.state.comments(REPO, number)]


def test_a_plan_with_changes_is_posted_once_as_one_comment(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    synced = sync(github, plan())
    [comment] = github.state.comments(REPO, 1)
    assert comment.body == comment_parts(plan(), CTX)[0]
    assert synced.url == f"{github.html_url}/{REPO}/pull/1#issuecomment-{comment.id}"
    assert (synced.created, synced.outcome) == (1, "created")
    assert github.count("POST", f"/repos/{REPO}/issues/1/comments") == 1


def test_the_same_plan_again_makes_no_write_at_all(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    first = sync(github, plan())
    before = writes(github)
    again = sync(github, plan())
    assert writes(github) == before == 1
    assert again.url == first.url
    assert (again.unchanged, again.outcome) == (1, "unchanged")


def test_a_changed_plan_edits_the_same_comment_in_place(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    sync(github, plan())
    [before] = github.state.comments(REPO, 1)
    before_id, before_body = before.id, before.body  # the fake's record changes in place
    synced = sync(github, plan(changes=2, value="c"))
    [after] = github.state.comments(REPO, 1)
    assert after.id == before_id
    assert after.body == comment_parts(plan(changes=2, value="c"), CTX)[0]
    assert "cm-001" in after.body and "cm-001" not in before_body
    assert github.count("POST", "*") == 1
    assert github.count("PATCH", f"/repos/{REPO}/issues/comments/{before_id}") == 1
    assert synced.outcome == "updated"


def test_a_huge_plan_is_split_into_parts_in_order_and_leftovers_go_when_it_shrinks(
    github: GitHubFake,
) -> None:
    github.state.add_pull(REPO, "feature")
    huge = plan(changes=24, size=3000)
    parts = comment_parts(huge, CTX)
    assert len(parts) == 3
    sync(github, huge)
    assert bodies(github) == parts
    assert [marker_of(b) for b in bodies(github)] == [
        ("staging", 1),
        ("staging", 2),
        ("staging", 3),
    ]
    first = github.state.comments(REPO, 1)[0]

    small = plan(changes=2, size=3000)
    synced = sync(github, small)
    [left] = github.state.comments(REPO, 1)
    assert left.id == first.id
    assert left.body == comment_parts(small, CTX)[0]
    assert (synced.updated, synced.deleted, synced.created) == (1, 2, 0)
    assert github.count("POST", "*") == 3


def test_a_plan_that_became_empty_says_no_changes_in_part_one_and_posts_nothing_new(
    github: GitHubFake,
) -> None:
    github.state.add_pull(REPO, "feature")
    sync(github, plan(changes=24, size=3000))
    first = github.state.comments(REPO, 1)[0]
    posted = github.count("POST", "*")
    synced = sync(github, plan(changes=0))
    [left] = github.state.comments(REPO, 1)
    assert left.id == first.id
    assert "No changes: the desired state of `staging` matches" in left.body
    assert "<details>" not in left.body
    assert github.count("POST", "*") == posted
    assert synced.deleted == 2


def test_a_plan_that_never_had_changes_posts_nothing(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    synced = sync(github, plan(changes=0))
    assert synced.url == "" and synced.outcome == "none"
    assert bodies(github) == []
    assert writes(github) == 0
    assert github.count("GET", f"/repos/{REPO}/issues/1/comments") == 1


def test_other_targets_other_bots_and_people_are_left_alone(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    prod = github.state.add_comment(
        REPO, 1, marker("prod", 1) + "\nprod plan", "github-actions[bot]"
    )
    other_bot = github.state.add_comment(REPO, 1, "<!-- renovate -->\nUpdates", "renovate[bot]")
    person = github.state.add_comment(REPO, 1, "LGTM, but check staging", "alice")
    sync(github, plan(changes=3))
    sync(github, plan(changes=0))
    left = {c.id: c.body for c in github.state.comments(REPO, 1)}
    assert left[prod.id] == marker("prod", 1) + "\nprod plan"
    assert left[other_bot.id] == "<!-- renovate -->\nUpdates"
    assert left[person.id] == "LGTM, but check staging"
    assert len(left) == 4
    for comment_id in (prod.id, other_bot.id, person.id):
        assert github.count("*", f"/repos/{REPO}/issues/comments/{comment_id}") == 0


def test_a_comment_quoting_our_marker_is_not_taken_for_ours(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    quoted = f"> {marker('staging', 1)}\n> ### gitops-action plan\n\nWhy is this changing?"
    later = f"See the plan:\n{marker('staging', 1)}\nstaging"
    reply = github.state.add_comment(REPO, 1, quoted, "alice")
    inline = github.state.add_comment(REPO, 1, later, "bob")
    synced = sync(github, plan())
    assert (synced.created, synced.updated) == (1, 0)
    assert github.state.comment(REPO, reply.id).body == quoted
    assert github.state.comment(REPO, inline.id).body == later
    assert len(bodies(github)) == 3


def sync_as_workflow(github: GitHubFake, report: TargetReport) -> Synced:
    """``sync`` with a workflow's GITHUB_TOKEN: it writes as github-actions[bot] and cannot
    read GET /user."""
    github.add_token("ghs_workflow", "github-actions[bot]", installation=True)
    parts = comment_parts(report, CTX)
    return sync_comments(client(github, "ghs_workflow"), 1, report.name, parts, post=True)


def test_a_workflow_token_finds_the_comment_github_actions_bot_wrote(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    old = github.state.add_comment(
        REPO, 1, marker("staging", 1) + "\nan older plan", "github-actions[bot]"
    )
    synced = sync_as_workflow(github, plan())
    [comment] = github.state.comments(REPO, 1)
    assert comment.id == old.id and comment.user == "github-actions[bot]"
    assert comment.body == comment_parts(plan(), CTX)[0]
    assert synced.outcome == "updated"
    assert github.count("GET", "/user") == 1  # refused to an installation token: the bot


def test_a_comment_of_someone_else_carrying_our_marker_is_never_taken_over(
    github: GitHubFake,
) -> None:
    # Mallory pastes the marker first: before, the oldest marked comment was edited into the
    # plan (and hers trusted), whoever wrote it.
    github.state.add_pull(REPO, "feature")
    bait = marker("staging", 1) + "\n[Approve here](https://evil.example)"
    mallory = github.state.add_comment(REPO, 1, bait, "mallory")
    synced = sync_as_workflow(github, plan())
    left = {c.id: c for c in github.state.comments(REPO, 1)}
    assert left[mallory.id].body == bait
    assert github.count("*", f"/repos/{REPO}/issues/comments/{mallory.id}") == 0
    assert (synced.created, synced.updated, synced.deleted) == (1, 0, 0)
    assert [c.user for c in left.values()] == ["mallory", "github-actions[bot]"]


def test_a_personal_token_finds_the_comments_its_owner_wrote(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    bot = github.state.add_comment(REPO, 1, marker("staging", 1) + "\nbot", "github-actions[bot]")
    mine = github.state.add_comment(REPO, 1, marker("staging", 1) + "\nmine", "octocat")
    synced = sync(github, plan())  # the default token is octocat's
    assert synced.outcome == "updated"
    assert github.state.comment(REPO, mine.id).body == comment_parts(plan(), CTX)[0]
    assert github.state.comment(REPO, bot.id).body == marker("staging", 1) + "\nbot"


def test_another_app_token_is_named_by_gitops_action_bot_login(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    github.add_token("ghs_app", "deployer[bot]", installation=True)
    ours = github.state.add_comment(REPO, 1, marker("staging", 1) + "\nold", "deployer[bot]")
    env = {**github.env(token="ghs_app"), "GITOPS_ACTION_BOT_LOGIN": "deployer[bot]"}
    app = GitHubClient.from_env(ActionsEnv(env), pacing=NO_PACING)  # no failure: no retry
    synced = sync_comments(app, 1, "staging", comment_parts(plan(), CTX), post=True)
    assert (synced.updated, synced.created) == (1, 0)
    assert github.state.comment(REPO, ours.id).body == comment_parts(plan(), CTX)[0]
    assert github.count("GET", "/user") == 1  # refused: an installation token


def test_a_copy_from_a_racing_run_is_deleted_and_a_copy_by_someone_else_kept(
    github: GitHubFake,
) -> None:
    github.state.add_pull(REPO, "feature")
    body = marker("staging", 1) + "\nrace"
    first = github.state.add_comment(REPO, 1, body, "github-actions[bot]")
    copy = github.state.add_comment(REPO, 1, body, "github-actions[bot]")
    pasted = github.state.add_comment(REPO, 1, body, "mallory")
    sync_as_workflow(github, plan())
    left = {c.id: c for c in github.state.comments(REPO, 1)}
    assert copy.id not in left
    assert left[first.id].body == comment_parts(plan(), CTX)[0]
    assert left[pasted.id].body == body


def test_a_part_deleted_by_hand_is_posted_again_after_the_ones_before_it(
    github: GitHubFake,
) -> None:
    github.state.add_pull(REPO, "feature")
    huge = plan(changes=24, size=3000)
    sync(github, huge)
    one, two, three = github.state.comments(REPO, 1)
    github.state.delete_comment(REPO, two.id)
    sync(github, huge)
    left = github.state.comments(REPO, 1)
    assert [marker_of(c.body) for c in left] == [("staging", k) for k in (1, 2, 3)]
    assert left[0].id == one.id
    assert three.id not in {c.id for c in left}


def test_our_comment_is_found_on_a_later_page_of_a_busy_pull_request(github: GitHubFake) -> None:
    github.state.add_pull(REPO, "feature")
    for n in range(130):
        github.state.add_comment(REPO, 1, f"comment {n}", "alice")
    sync(github, plan())
    sync(github, plan(value="z"))
    assert sum(1 for b in bodies(github) if b.startswith(marker("staging", 1))) == 1
    assert github.count("POST", "*") == 1
    assert github.count("GET", f"/repos/{REPO}/issues/1/comments") == 4  # two pages, twice


def test_a_part_that_does_not_start_with_its_marker_is_refused_before_any_request(
    github: GitHubFake,
) -> None:
    github.state.add_pull(REPO, "feature")
    with pytest.raises(ValueError, match="part 1 of staging does not start with its marker"):
        sync_comments(client(github), 1, "staging", ["no marker"], post=True)
    assert github.requests == []
