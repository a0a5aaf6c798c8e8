"""The GitHub adapter: PyGithub behind the ``GitHub`` port, with retries and clear refusals.

Built from the Actions environment: ``GITHUB_API_URL`` is the base URL (so GitHub Enterprise
Server works), ``GITHUB_REPOSITORY`` the repository, the token ``GITHUB_TOKEN`` or the
action's ``github-token`` input. It hands out our own frozen dataclasses, never PyGithub
objects, and turns every refusal into one ``GitHubError`` naming the permission that is
missing.

Retries are ours, not PyGithub's (``retry=None``): its ``GithubRetry`` sleeps inside urllib3,
where neither the total wait can be capped nor the sleep replaced in tests, and it retries a
POST after a 5xx, which may create a second comment when GitHub had in fact written the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import requests
from github import Auth, Github, GithubException
from github.GithubObject import NotSet
from github.Issue import Issue
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest

from .. import __version__
from ..core.retry import Decision, OutOfTime, RetryPolicy
from ..errors import GitHubError
from ..ports import Comment, IssueRef, PullRef
from .actions import ActionsEnv
from .github_retry import GITHUB_RETRY, is_rate_limited, wait_for

T = TypeVar("T")


@dataclass(frozen=True)
class Pacing:
    """Seconds between requests, given to PyGithub. By default reads are not spaced (we make
    a handful, one at a time) and writes are a second apart, as GitHub asks of clients that
    POST, PATCH or DELETE in a row to stay clear of secondary rate limits; a plan writes at
    most a few comments per target, so this costs seconds, not minutes."""

    between_requests: float = 0.0
    between_writes: float = 1.0


NO_PACING = Pacing(0.0, 0.0)


@dataclass(frozen=True)
class _Op:
    """One call, for messages: ``GitHub refused to {action} on {where} (...): ... {needs}``."""

    action: str
    where: str
    needs: str


class GitHubClient:
    """The ``GitHub`` port for one repository, over PyGithub."""

    def __init__(
        self,
        repository: str,
        token: str,
        api_url: str = "https://api.github.com",
        *,
        retry: RetryPolicy | None = None,
        pacing: Pacing | None = None,
        timeout: int = 30,
        bot_login: str = "github-actions[bot]",
    ) -> None:
        if not token:
            raise GitHubError(
                "no GitHub token: set GITHUB_TOKEN (env: GITHUB_TOKEN: ${{ github.token }}) "
                "or the action's github-token input"
            )
        owner, _, name = repository.partition("/")
        if not (owner and name):
            raise GitHubError(
                f"GITHUB_REPOSITORY is {repository!r}, not owner/name: "
                "set it (Actions does) to the repository to comment on"
            )
        pacing = pacing or Pacing()
        self._repository = repository
        self._owner = owner
        self.api_url = api_url.rstrip("/")
        self._retry = retry or GITHUB_RETRY
        self._gh = Github(
            auth=Auth.Token(token),
            base_url=self.api_url,
            retry=None,
            lazy=True,  # objects by URL, no GET until an attribute is missing
            per_page=100,
            timeout=timeout,
            user_agent=f"gitops-action/{__version__}",
            seconds_between_requests=pacing.between_requests or None,
            seconds_between_writes=pacing.between_writes or None,
        )
        self._repo = self._gh.get_repo(repository)
        self._login: str | None = None
        self._bot_login = bot_login

    @classmethod
    def from_env(
        cls, actions: ActionsEnv, *, retry: RetryPolicy | None = None, pacing: Pacing | None = None
    ) -> GitHubClient:
        return cls(
            actions.repository, actions.token, actions.api_url, retry=retry, pacing=pacing,
            bot_login=actions.env.get("GITOPS_ACTION_BOT_LOGIN") or "github-actions[bot]",
        )  # fmt: skip

    @property
    def repository(self) -> str:
        return self._repository

    # Comments

    def comments(self, number: int, *, pull: bool = True) -> list[Comment]:
        op = _Op("list the comments", self._at(number), _scope(pull, "read"))
        issue = self._repo.get_issue(number)
        return self._call(op, lambda: [_comment(c) for c in issue.get_comments()])

    def create_comment(self, number: int, body: str, *, pull: bool = True) -> Comment:
        op = _Op("comment", self._at(number), _scope(pull, "write"))
        issue = self._repo.get_issue(number)

        def written() -> Comment | None:
            # After a 5xx GitHub may have written it anyway: look before writing it twice.
            same = [c for c in issue.get_comments() if c.body == body]
            return _comment(same[-1]) if same else None

        return self._call(op, lambda: _comment(issue.create_comment(body)), recover=written)

    def update_comment(
        self, number: int, comment_id: int, body: str, *, pull: bool = True
    ) -> Comment:
        op = _Op(f"update comment {comment_id}", self._at(number), _scope(pull, "write"))
        comment = self._repo.get_issue(number).get_comment(comment_id)

        def edit() -> Comment:
            comment.edit(body)
            return _comment(comment)

        return self._call(op, edit)

    def delete_comment(self, number: int, comment_id: int, *, pull: bool = True) -> None:
        op = _Op(f"delete comment {comment_id}", self._at(number), _scope(pull, "write"))
        comment = self._repo.get_issue(number).get_comment(comment_id)

        def delete() -> None:
            try:
                comment.delete()
            except GithubException as err:
                if err.status != 404:  # already gone: by someone else, or by our earlier try
                    raise

        self._call(op, delete)

    # Pull requests

    def pull(self, number: int) -> PullRef:
        op = _Op("read pull request", self._at(number), "pull-requests: read")
        return self._call(op, lambda: _pull(self._repo.get_pull(number)))

    def find_pull(self, head_branch: str, base: str) -> PullRef | None:
        op = _Op(
            f"list pull requests from {head_branch} into {base}",
            self._repository,
            "pull-requests: read",
        )
        return self._call(op, lambda: self._open_pull(head_branch, base))

    def create_pull(self, head: str, base: str, title: str, body: str) -> PullRef:
        op = _Op(
            f"open a pull request from {head} into {base}",
            self._repository,
            "pull-requests: write",
        )
        return self._call(
            op,
            lambda: _pull(self._repo.create_pull(base=base, head=head, title=title, body=body)),
            recover=lambda: self._open_pull(head, base),
        )

    def pulls_of_commit(self, sha: str) -> list[PullRef]:
        op = _Op(
            f"list the pull requests of commit {sha[:12]}",
            self._repository,
            "pull-requests: read",
        )
        return self._call(op, lambda: [_pull(p) for p in self._repo.get_commit(sha).get_pulls()])

    def _open_pull(self, head_branch: str, base: str) -> PullRef | None:
        found = self._repo.get_pulls(state="open", head=f"{self._owner}:{head_branch}", base=base)
        first = next(iter(found), None)
        return _pull(first) if first is not None else None

    def update_pull(self, number: int, title: str, body: str) -> PullRef:
        op = _Op("edit pull request", self._at(number), "pull-requests: write")
        pr = self._repo.get_pull(number)

        def edit() -> PullRef:
            pr.edit(title=title, body=body)
            return _pull(pr)

        return self._call(op, edit)

    def close_pull(self, number: int) -> PullRef:
        op = _Op("close pull request", self._at(number), "pull-requests: write")
        pr = self._repo.get_pull(number)

        def close() -> PullRef:
            pr.edit(state="closed")
            return _pull(pr)

        return self._call(op, close)

    # Issues

    def identity(self) -> str:
        """The token's own login: ``GET /user`` for a person's token; a workflow's
        ``GITHUB_TOKEN`` (an installation token, which GitHub refuses ``/user``) writes as
        ``github-actions[bot]``, or as ``GITOPS_ACTION_BOT_LOGIN`` for another app's token."""
        if self._login is None:
            try:
                self._login = str(self._gh.get_user().login)
            except GithubException as err:
                if err.status != 403:
                    raise self._failed(_Op("read the token's user", "/user", ""), err, 1) from err
                self._login = self._bot_login
        return self._login

    def issues(self, label: str, state: str = "open") -> list[IssueRef]:
        op = _Op(f"list the issues labelled {label}", self._repository, "issues: read")

        def listed() -> list[IssueRef]:
            found = self._repo.get_issues(state=state, labels=[label], sort="created")
            return [_issue(i) for i in found if i.pull_request is None]

        return self._call(op, listed)

    def create_issue(self, title: str, body: str, labels: Sequence[str] = ()) -> IssueRef:
        op = _Op("open an issue", self._repository, "issues: write")

        def written() -> IssueRef | None:
            # After a 5xx GitHub may have opened it anyway: look before opening a second.
            for issue in self._repo.get_issues(state="open", sort="created", direction="desc"):
                if issue.title == title and issue.body == body:
                    return _issue(issue)
            return None

        return self._call(
            op,
            lambda: _issue(self._repo.create_issue(title=title, body=body, labels=list(labels))),
            recover=written,
        )

    def update_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        state: str | None = None,
    ) -> IssueRef:
        op = _Op("edit the issue", self._at(number), "issues: write")
        issue = self._repo.get_issue(number)

        def edit() -> IssueRef:
            issue.edit(
                title=title if title is not None else NotSet,
                body=body if body is not None else NotSet,
                state=state if state is not None else NotSet,
            )
            return _issue(issue)

        return self._call(op, edit)

    # Retries and refusals

    def _at(self, number: int) -> str:
        return f"{self._repository}#{number}"

    def _call(
        self, op: _Op, fn: Callable[[], T], *, recover: Callable[[], T | None] | None = None
    ) -> T:
        """``fn()``, tried again as the policy allows; a write is never repeated once GitHub
        took it: a refusal is not retried, and after an answer that leaves it open (5xx, a
        dropped connection) ``recover`` looks for the result before trying again."""
        tries = 0

        def attempt() -> T:
            nonlocal tries
            tries += 1
            return fn()

        def decide(err: Exception) -> Decision:
            if isinstance(err, GithubException):
                return wait_for(err.status, err.headers or {}, _message(err))
            return True if isinstance(err, requests.RequestException) else None

        def found(err: Exception) -> T | None:
            """After a failure that leaves a write's outcome open, the write if it was made."""
            unknown = isinstance(err, requests.RequestException) or (
                isinstance(err, GithubException) and err.status >= 500
            )
            if not unknown or recover is None:
                return None
            try:
                return recover()
            except (GithubException, requests.RequestException):
                return None  # cannot tell; try the write again

        try:
            return self._retry.run(attempt, decide, recover=found)
        except OutOfTime as out:
            raise self._gave_up(op, out.cause, out.wait, out.waited) from out.cause
        except (GithubException, requests.RequestException) as err:
            raise self._failed(op, err, tries) from err

    def _failed(self, op: _Op, failure: Exception, attempts: int) -> GitHubError:
        if not isinstance(failure, GithubException):
            return GitHubError(
                f"cannot reach GitHub at {self.api_url} to {op.action} on {op.where} "
                f"({attempts} tries): {failure}; check GITHUB_API_URL "
                "(GitHub Enterprise Server: https://HOST/api/v3) and the network"
            )
        status, message = failure.status, _message(failure)
        refused = f"GitHub refused to {op.action} on {op.where} ({status} {message})"
        if is_rate_limited(status, failure.headers or {}, message):
            return GitHubError(
                f"{refused}: still rate-limited after {attempts} tries; re-run the job later"
            )
        if status >= 500:
            return GitHubError(
                f"{refused}: GitHub kept failing ({attempts} tries); re-run the job later "
                "(on github.com: https://www.githubstatus.com)"
            )
        if status == 401:
            return GitHubError(
                f"{refused}: the token is missing, wrong or expired; pass a valid one as the "
                "action's github-token input (or GITHUB_TOKEN)"
            )
        if status == 403:
            hint = (
                f"{refused}: the workflow's token needs '{op.needs}' — add "
                f"'permissions: {op.needs}' to the job"
            )
            if op.needs == "pull-requests: write":
                hint += (
                    "\nOn a pull_request from a fork GitHub gives the workflow a read-only token "
                    "whatever it asks for: there, pass --no-comment (the plan is in the job "
                    "summary)"
                )
            return GitHubError(hint)
        if status == 404:
            if not self._repo_visible():
                return GitHubError(
                    f"{refused}: repository {self._repository} not found: GITHUB_REPOSITORY is "
                    "wrong, or the token has no access to it (a private repository, or a token "
                    "made for another one)"
                )
            return GitHubError(f"{refused}: it does not exist (any more)")
        return GitHubError(f"{refused}{_details(failure)}")

    def _gave_up(self, op: _Op, failure: Exception, delay: float, waited: float) -> GitHubError:
        if isinstance(failure, GithubException):
            what = f"{failure.status} {_message(failure)}"
            limited = is_rate_limited(failure.status, failure.headers or {}, _message(failure))
        else:
            what, limited = str(failure), False
        asked = "GitHub asked to wait" if limited else "trying again needs"
        return GitHubError(
            f"{asked} {delay:.0f} s more before trying to {op.action} on {op.where} again "
            f"({what}), past the {self._retry.max_wait:.0f} s this run waits (waited "
            f"{waited:.0f} s); re-run the job later"
        )

    def _repo_visible(self) -> bool:
        """Whether the repository itself answers (once, no retries): tells a wrong
        GITHUB_REPOSITORY from a comment or pull request that is gone."""
        try:
            self._gh.get_repo(self._repository).complete()
        except GithubException as err:
            return err.status != 404
        except requests.RequestException:
            return True
        return True


def _message(err: GithubException) -> str:
    data = err.data
    if isinstance(data, Mapping) and data.get("message"):
        return " ".join(str(data["message"]).split())
    return err.message or (str(data)[:200] if data else "no message")


def _details(err: GithubException) -> str:
    data = err.data
    errors = data.get("errors") if isinstance(data, Mapping) else None
    if not isinstance(errors, list) or not errors:
        return ""
    shown = [str(e.get("message") or e) if isinstance(e, Mapping) else str(e) for e in errors]
    return ": " + "; ".join(shown)


def _scope(pull: bool, level: str) -> str:
    return f"{'pull-requests' if pull else 'issues'}: {level}"


def _comment(c: IssueComment) -> Comment:
    return Comment(id=c.id, body=c.body or "", url=c.html_url, user=c.user.login if c.user else "")


def _issue(i: Issue) -> IssueRef:
    return IssueRef(
        number=i.number,
        url=i.html_url,
        title=i.title or "",
        body=i.body or "",
        state=i.state,
        user=i.user.login if i.user else "",
        labels=tuple(label.name for label in i.labels),
    )


def _pull(p: PullRequest) -> PullRef:
    head_repo = p.head.repo.full_name if p.head.repo is not None else ""
    base_repo = p.base.repo.full_name if p.base.repo is not None else ""
    return PullRef(
        number=p.number,
        url=p.html_url,
        state=p.state,
        title=p.title or "",
        body=p.body or "",
        head_ref=p.head.ref,
        head_sha=p.head.sha,
        head_repo=head_repo,
        base_ref=p.base.ref,
        base_sha=p.base.sha,
        base_repo=base_repo,
        merged=p.merged_at is not None,
        merge_commit_sha=p.merge_commit_sha or "",
    )
