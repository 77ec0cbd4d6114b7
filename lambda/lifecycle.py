"""What each request does to the job: Create, Update and Delete, decided against ``Jobs``.

Names and physical ids:

- A new job is named by the user's ``JobName`` or ``<JobNamePrefix>-<12 hex of the request
  digest>``; it is tagged with the full digest, so a redelivered request adopts the job instead of
  starting a second one.
- A failure answers with the job name it meant to use, so the Delete of the rollback stops a job
  that started after all; only when no job of ours can exist under that name (the name belongs to
  another job, or an Update never got as far as a name) does it answer ``no_job_marker``, which
  Delete skips. An Update failure never answers the old id: CloudFormation would then roll back
  with another Update, which would start a job again (or fail again).

A Delete can arrive while a Create for the same resource is still in flight:

- CloudFormation sends the rollback Delete as soon as a Create answered FAILED on its deadline,
  while SageMaker may still be working on the CreateInferenceRecommendationsJob call sent just
  before; and CloudFormation may send a Delete before a Create has answered at all
  (cloudformation-coverage-roadmap#1730). One Describe then says "not found", the Delete
  succeeds, and the job that starts a moment later runs with nobody left to stop it.
- So a Delete that finds no job under a name this handler could still be creating (any job name,
  never the no-job marker) describes it again, every few seconds, for the longest time one
  SageMaker call of the Create may take (``Recheck``: the client's connect plus read timeout).
  A Create call still under way when its handler answered was sent before that answer, and none
  is sent after it (``Jobs`` refuses calls once cancelled), so a job it starts shows up within
  that window; one that does and still runs is stopped.
- The window never runs past the Delete's own budget (the deadline minus the reserve kept for
  the answer), less a share left for the last Describe and the Stop. It is a bound, not a lock:
  a Create invocation that sends its call only after the window has passed is not covered, and
  nothing short of a lock outside SageMaker would cover it. The price is paid only by a Delete
  that finds no job: rolling back a Create that never started one takes up to a minute longer.

Every kind (``kinds``: the classic job, AI recommendation and benchmark jobs, AI workload
configurations) follows these rules; the name member, the operations and the statuses come from
its row. What a Delete does differs by what SageMaker allows:

- The classic job cannot be deleted: it is stopped if it runs, and stays.
- An AI job is stopped if it runs (and ours), waited for, then deleted, as SageMaker deletes only a
  job in a terminal state (developer guide: "Delete a job (must be in a terminal state)"). One still
  stopping when the budget ends is left to stop on its own, and the answer says it was not deleted.
- An AI workload configuration (ours) is deleted. One an active job still uses (ResourceInUse) is
  tried again within the budget, then left in place, and the answer says so: it costs nothing and
  keeps its owner tag, while a FAILED answer would leave a stack delete or a rollback stuck.
- Nothing is stopped or deleted that this resource did not create (its owner tag says so), and
  a Delete succeeds whatever state it finds. A call SageMaker keeps failing (denied, throttled or
  unavailable past the retries) answers FAILED with its message, as for the classic job.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import Final

import names
from backoff import THROTTLING_CODES
from cfn_response import Status
from events import (
    CfnEvent,
    Envelope,
    EventError,
    Properties,
    RequestType,
    intended_job_name,
    user_job_name,
)
from jobs import Cancelled, JobInfo, Jobs, SageMakerError
from kinds import CLASSIC, Kind
from log import DecisionLog
from request import (
    CREATE_REQUEST_TAG,
    OWN_TAGS,
    OWNER_TAG,
    RequestError,
    coerce_request,
    create_params,
)

__all__ = [
    "FINISHED",
    "NO_RECHECK",
    "STOPPABLE",
    "Outcome",
    "Progress",
    "Recheck",
    "initial_progress",
    "invalid_event",
    "run",
    "run_guarded",
    "sagemaker_reason",
    "timed_out",
]

# The classic job's statuses (``kinds`` has every kind's).
STOPPABLE: Final = CLASSIC.running
FINISHED: Final = CLASSIC.stopping | CLASSIC.finished
_ACCESS_DENIED: Final = frozenset({"AccessDeniedException", "AccessDenied"})


# Describe at most this often while looking for a job a Create may still start, and at least
# this many times within the window.
_RECHECK_INTERVAL: Final = 2.0
_RECHECK_LOOKS: Final = 5
# Describe a stopping job at most this often while waiting for it to stop.
_STOP_INTERVAL: Final = 5.0
# Of the work's budget, this share (at most _STOP_MARGIN seconds) is kept for the last Describe
# and the Stop after the window.
_STOP_MARGIN_SHARE: Final = 0.25
_STOP_MARGIN: Final = 15.0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Recheck:
    """How long a Delete that finds no job looks again for one a Create still in flight starts.

    ``until`` is the ``clock()`` time after which no Describe starts, except that a window
    the first Describe used up still gets one look (a slow first call must not leave the late
    Create unlooked for); ``sleep`` pauses between two (the handler passes its cancellation
    event's ``wait``, so a cancelled Delete stops waiting at once). A window of 0 (interval 0)
    looks no more. ``stop_until`` and ``stop_interval`` bound the wait for a stopping job.
    """

    until: float
    interval: float
    stop_until: float
    stop_interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = time.sleep

    @classmethod
    def within(
        cls,
        window: float,
        budget: float,
        stop_window: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> Recheck:
        """Look for ``window`` seconds from now, ending early enough in ``budget`` for a Stop.

        A stopping job is waited for ``stop_window`` seconds, by default as long as ``budget``
        allows (less the same margin, for the answer).
        """
        margin = min(_STOP_MARGIN, _STOP_MARGIN_SHARE * budget)
        usable = max(0.0, budget - margin)
        seconds = max(0.0, min(window, usable))
        stopping = usable if stop_window is None else max(0.0, min(stop_window, usable))
        now = clock()
        return cls(
            until=now + seconds,
            interval=min(_RECHECK_INTERVAL, seconds / _RECHECK_LOOKS),
            stop_until=now + stopping,
            stop_interval=min(_STOP_INTERVAL, stopping / _RECHECK_LOOKS),
            clock=clock,
            sleep=sleep,
        )


NO_RECHECK: Final = Recheck(
    until=float("-inf"), interval=0.0, stop_until=float("-inf"), stop_interval=0.0
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """The answer the work arrived at."""

    status: Status
    physical_resource_id: str
    reason: str
    data: Mapping[str, str] = dataclasses.field(default_factory=dict)
    job_name: str = ""  # the job the outcome is about, for the logs


class Progress:
    """Which physical id and job name to answer with if the work does not finish in time.

    The worker thread writes it, the handler's thread reads it: both values change together.
    """

    def __init__(self, physical_resource_id: str, job_name: str = "") -> None:
        self._state = (physical_resource_id, job_name)

    @property
    def physical_resource_id(self) -> str:
        """The physical id to answer with."""
        return self._state[0]

    @property
    def job_name(self) -> str:
        """The job the work is about ("" if none yet)."""
        return self._state[1]

    def snapshot(self) -> tuple[str, str]:
        """Return the physical id and the job name, read together."""
        return self._state

    def name(self, job_name: str) -> None:
        """Record that the work now targets the job ``job_name``."""
        self._state = (job_name, job_name)


def initial_progress(event: CfnEvent) -> Progress:
    """Return what to answer with before the work has decided anything.

    Create: the job name it will use. Update: no job yet (the old id would make CloudFormation's
    rollback send another Update). Delete: the job it is about.
    """
    envelope = event.envelope
    if event.request_type is RequestType.DELETE:
        name = envelope.physical_resource_id
        return Progress(name, name if event.kind.is_name(name) else "")
    if event.request_type is RequestType.CREATE and event.properties is not None:
        try:
            name = intended_job_name(envelope, event.properties, event.kind)
        except EventError:
            pass
        else:
            return Progress(name, name)
    return Progress(names.no_job_marker(envelope.digest))


def _subject(kind: Kind, name: str) -> str:
    """``Job <name>``, ``Workload configuration <name>``: how a reason names the resource."""
    return f"{kind.noun.capitalize()} {name}"


def _started(kind: Kind) -> str:
    """Return the past of a Create: a job is started, a workload configuration created."""
    return "created" if kind.stop is None else "started"


def _start_verb(kind: Kind) -> str:
    """Return ``start`` (a job) or ``create`` (a workload configuration)."""
    return "create" if kind.stop is None else "start"


def _success(job_name: str, arn: str, reason: str, kind: Kind = CLASSIC) -> Outcome:
    return Outcome(
        status="SUCCESS",
        physical_resource_id=job_name,
        reason=reason,
        data=kind.attributes(arn, job_name),
        job_name=job_name,
    )


def _failed(physical_resource_id: str, reason: str, job_name: str = "") -> Outcome:
    return Outcome(
        status="FAILED", physical_resource_id=physical_resource_id, reason=reason, job_name=job_name
    )


def sagemaker_reason(error: SageMakerError, job_name: str, kind: Kind = CLASSIC) -> str:
    """Return a reason a user can act on for a failed SageMaker call."""
    text = (
        f"SageMaker {error.operation} failed for {kind.noun} {job_name}: "
        f"{error.code}: {error.message}"
    )
    advice = _advice(error, job_name, kind)
    return f"{text}. {advice}" if advice else text


_QUOTA_ADVICE: Final = (
    "This is an account quota (recommendation jobs, or the endpoints and instances they start): "
    "wait for running jobs to finish or stop them, or request a higher limit in Service Quotas, "
    "then deploy again."
)
_IN_USE_ADVICE: Final = (
    "SageMaker says the name is in use, yet no {noun} of that name can be described: deploy "
    "again, or set another {member} if this persists."
)
_MAY_RUN_ADVICE: Final = "The {noun} may still {be}: check it with `{cli}`."
# CreateAIRecommendationJob and CreateAIBenchmarkJob declare ResourceNotFound: the workload
# configuration (or endpoint) the request names does not exist.
_NOT_FOUND_ADVICE: Final = (
    "SageMaker cannot find something the request names (its AIWorkloadConfigIdentifier, "
    "endpoint or model package group): fix the request and deploy again."
)


def _advice(error: SageMakerError, job_name: str, kind: Kind = CLASSIC) -> str:
    """Return what the user can do about ``error`` ("" if nothing better than retrying)."""
    creating = error.operation == kind.create
    be = "exist" if kind.stop is None else "be running"
    rules = (
        (error.code == "ResourceLimitExceeded", _QUOTA_ADVICE),
        (
            error.code in THROTTLING_CODES,
            "SageMaker kept throttling after several attempts: deploy again later.",
        ),
        (
            error.code in _ACCESS_DENIED,
            "The handler's role lacks this permission on the job (or PassRole).",
        ),
        (
            creating and error.code in {"ValidationException", "InvalidParameter"},
            "Fix the request and deploy again.",
        ),
        (
            creating and error.code == "ResourceInUse",
            _IN_USE_ADVICE.format(noun=kind.noun, member=kind.name_member),
        ),
        (creating and error.code == "ResourceNotFound", _NOT_FOUND_ADVICE),
        (
            (kind.stop is not None and error.operation == kind.stop)
            or error.code.endswith("Timeout"),
            _MAY_RUN_ADVICE.format(noun=kind.noun, be=be, cli=kind.cli(job_name)),
        ),
    )
    return next((advice for applies, advice in rules if applies), "")


def _name_taken(job_name: str, kind: Kind = CLASSIC) -> str:
    # Only the classic job is documented never to give its name again ("Jobs cannot be deleted
    # and their names can never be reused", DESIGN.md); for the AI kinds the docs are silent.
    never = (
        f", and SageMaker never reuses {kind.noun} names, even after a {kind.noun} ended"
        if kind.delete is None
        else ""
    )
    member = kind.name_member
    return (
        f"{_subject(kind, 'name')} {job_name} is taken by a {kind.noun} this resource did not "
        f"{_start_verb(kind)}{never}. Pick another {member}, or omit {member} "
        "to let infrec-cdk generate a fresh name."
    )


def _adopt_or_refuse(
    existing: JobInfo,
    *,
    job_name: str,
    digest: str,
    jobs: Jobs,
    log: DecisionLog,
    not_ours_id: str,
) -> Outcome:
    kind = jobs.kind
    tags = jobs.tags(existing.arn)
    if tags.get(CREATE_REQUEST_TAG) == digest:
        log.decision("adopt", "redelivered-request", status=existing.status)
        return _success(
            job_name,
            existing.arn,
            f"{_subject(kind, job_name)} already {_started(kind)} by this request",
            kind,
        )
    log.decision("adopt", "name-taken", status=existing.status)
    return _failed(not_ours_id, _name_taken(job_name, kind), job_name)


def _start(
    event: CfnEvent,
    request: Mapping[str, object],
    job_name: str,
    jobs: Jobs,
    log: DecisionLog,
) -> Outcome:
    """Start the job ``job_name`` for this request, or adopt it if this request started it."""
    kind = jobs.kind
    digest = event.envelope.digest
    not_ours_id = names.no_job_marker(digest)
    owner = names.owner(event.envelope.stack_id, event.envelope.logical_resource_id)
    params = create_params(request, job_name=job_name, digest=digest, owner=owner, kind=kind)
    existing = jobs.describe(job_name)
    log.decision("describe", "not-found" if existing is None else "found")
    if existing is not None:
        return _adopt_or_refuse(
            existing, job_name=job_name, digest=digest, jobs=jobs, log=log, not_ours_id=not_ours_id
        )
    try:
        arn = jobs.create(params)
    except SageMakerError as error:
        if error.code != "ResourceInUse" and error.rejected:
            # SageMaker refused the only attempt: no job exists, so the rollback's Delete
            # (given the no-job marker) need not look for a late one.
            log.decision("create", "rejected", error_code=error.code)
            return _failed(not_ours_id, sagemaker_reason(error, job_name, kind), job_name)
        if error.code != "ResourceInUse":
            log.decision("create", "failed", error_code=error.code)
            raise
        log.decision("create", "name-in-use")
        existing = jobs.describe(job_name)  # maybe a redelivery of this request got there first
        if existing is None:
            raise
        return _adopt_or_refuse(
            existing, job_name=job_name, digest=digest, jobs=jobs, log=log, not_ours_id=not_ours_id
        )
    log.decision("create", "created")
    return _success(job_name, arn, f"{_started(kind).capitalize()} {kind.noun} {job_name}", kind)


def _create(
    event: CfnEvent, properties: Properties, jobs: Jobs, progress: Progress, log: DecisionLog
) -> Outcome:
    job_name = intended_job_name(event.envelope, properties, jobs.kind)
    progress.name(job_name)
    request = coerce_request(properties.request, jobs.request_shape())
    return _start(event, request, job_name, jobs, _bound(log, progress))


def _tags(request: Mapping[str, object]) -> dict[str, str]:
    """Return the request's own tags, key to value (never the tags infrec-cdk adds)."""
    tags = request.get("Tags")
    pairs = tags if isinstance(tags, list) else []
    return {
        str(tag["Key"]): str(tag.get("Value", ""))
        for tag in pairs
        if isinstance(tag, Mapping) and "Key" in tag and tag["Key"] not in OWN_TAGS
    }


def _retag(
    current: str,
    requests: tuple[Mapping[str, object], Mapping[str, object]],
    jobs: Jobs,
    log: DecisionLog,
    progress: Progress,
) -> Outcome | None:
    """Update the job's tags in place when only ``Tags`` changed; None if more did.

    Tags can change on a running job (AddTags, DeleteTags); nothing else of a job can, so any
    other change starts a new one. None of the AI kinds has an Update operation either.
    """
    old_request, request = requests
    untagged = [{k: v for k, v in r.items() if k != "Tags"} for r in requests]
    if untagged[0] != untagged[1]:
        return None
    existing = jobs.describe(current)
    if existing is None:
        log.decision("compare", "tags-only-no-job")
        return None  # nothing to retag: start one, as for any change
    progress.name(current)
    log.decision("compare", "tags-only")
    old, new = _tags(old_request), _tags(request)
    added = {key: value for key, value in new.items() if old.get(key) != value}
    removed = sorted(key for key in old if key not in new)
    if added:
        jobs.add_tags(existing.arn, added)
    if removed:
        jobs.delete_tags(existing.arn, removed)
    log.decision("tag", "updated", added=sorted(added), removed=removed)
    reason = f"Tags of {jobs.kind.noun} {current} updated in place"
    return _success(current, existing.arn, reason, jobs.kind)


def _same_name_refused(kind: Kind, own_name: str) -> str:
    member, noun = kind.name_member, kind.noun
    if kind.delete is None:
        why = "SageMaker never reuses job names"
    else:
        why = f"the old {noun} keeps its name until CloudFormation deletes it, after the update"
    return (
        f"The request changed but {member} is still {own_name}, the name of the {noun} this "
        f"resource already {_started(kind)}. A changed request {_start_verb(kind)}s "
        f"a new {noun} and {why}: change {member} as well, or omit it to let infrec-cdk generate "
        "one."
    )


def _update(
    event: CfnEvent, properties: Properties, jobs: Jobs, progress: Progress, log: DecisionLog
) -> Outcome:
    kind = jobs.kind
    envelope = event.envelope
    current = envelope.physical_resource_id
    shape = jobs.request_shape()
    request = coerce_request(properties.request, shape)
    old_request: dict[str, object] | None = None
    if event.old_properties is not None:
        try:
            old_request = coerce_request(event.old_properties.request, shape)
        except RequestError:
            old_request = None
    if old_request == request and kind.is_name(current):
        progress.name(current)
        log = _bound(log, progress)
        log.decision("compare", "unchanged")
        existing = jobs.describe(current)
        arn = (
            existing.arn
            if existing is not None
            else names.resource_arn(envelope.stack_id, kind.arn_resource, current)
        )
        log.decision("describe", "not-found" if existing is None else "found")
        return _success(current, arn, f"Request unchanged: {kind.noun} {current} kept", kind)
    if old_request is not None and kind.is_name(current):
        retagged = _retag(current, (old_request, request), jobs, _bound(log, progress), progress)
        if retagged is not None:
            return retagged
    log.decision("compare", "changed")
    own_name = user_job_name(properties.request, kind)
    if own_name is not None and own_name.lower() == current.lower():
        log.decision("create", "refused-same-name")
        return _failed(
            names.no_job_marker(envelope.digest), _same_name_refused(kind, own_name), own_name
        )
    job_name = intended_job_name(envelope, properties, kind)
    progress.name(job_name)
    return _start(event, request, job_name, jobs, _bound(log, progress))


def _look_again(job_name: str, jobs: Jobs, recheck: Recheck, log: DecisionLog) -> JobInfo | None:
    """Describe ``job_name`` until it exists or ``recheck`` ends; return the job or None."""
    started = recheck.clock()
    looks = 0
    while (left := recheck.until - recheck.clock()) > 0 or (looks == 0 and recheck.interval > 0):
        recheck.sleep(min(recheck.interval, max(0.0, left)))
        looks += 1
        found = jobs.describe(job_name)
        if found is not None:
            waited = round(recheck.clock() - started, 1)
            log.decision("recheck", "found", status=found.status, looks=looks, seconds=waited)
            return found
    log.decision("recheck", "not-found", looks=looks, seconds=round(recheck.clock() - started, 1))
    return None


def _delete(event: CfnEvent, jobs: Jobs, log: DecisionLog, recheck: Recheck) -> Outcome:
    kind = jobs.kind
    job_name = event.envelope.physical_resource_id
    done = Outcome(
        status="SUCCESS",
        physical_resource_id=job_name,
        reason="",
        job_name=job_name if kind.is_name(job_name) else "",
    )
    if not kind.is_name(job_name):
        log.decision("delete", "skipped-no-job")
        return dataclasses.replace(
            done, reason=f"No {kind.noun} was {_started(kind)} under this id"
        )
    owner = names.owner(event.envelope.stack_id, event.envelope.logical_resource_id)
    existing = jobs.describe(job_name)
    if existing is not None:
        log.decision("describe", "found", status=existing.status)
        return _stop(existing, done, jobs, log, recheck, owner=owner)
    log.decision("describe", "not-found")
    # A Create still in flight may start the job a moment from now (see the module docstring).
    existing = _look_again(job_name, jobs, recheck, log)
    if existing is None:
        return dataclasses.replace(done, reason=f"{_subject(kind, job_name)} does not exist")
    stopped = _stop(existing, done, jobs, log, recheck, owner=owner)
    return dataclasses.replace(
        stopped,
        reason=f"{stopped.reason}: a Create still in flight {_started(kind)} it after a first look",
    )


def _owned(existing: JobInfo, jobs: Jobs, owner: str, log: DecisionLog) -> bool:
    """Tell whether this resource started the job ``existing``: its owner tag says so.

    A job started before the owner tag existed carries only the create-request tag: it counts
    as ours. Tags that cannot be read (IAM lets a handler read only its own stack's jobs, and
    those its names cover) mean another's job.
    """
    try:
        tags = jobs.tags(existing.arn)
    except SageMakerError as error:
        log.decision("owner", "unreadable", error_code=error.code)
        return False
    ours = tags[OWNER_TAG] == owner if OWNER_TAG in tags else CREATE_REQUEST_TAG in tags
    log.decision("owner", "ours" if ours else "another")
    return ours


def _not_ours(done: Outcome, kind: Kind) -> Outcome:
    subject = _subject(kind, done.physical_resource_id)
    return dataclasses.replace(
        done, reason=f"{subject} was not {_started(kind)} by this resource: left as it is"
    )


def _stop(
    existing: JobInfo,
    done: Outcome,
    jobs: Jobs,
    log: DecisionLog,
    recheck: Recheck,
    *,
    owner: str,
) -> Outcome:
    """End what ``existing`` is unless it is not ours; ``done`` is the answer.

    A job that runs is stopped, and waited for; then, for a kind SageMaker can delete, the
    ended job (or the workload configuration) is deleted. A classic job stays, as SageMaker
    keeps it.
    """
    kind = jobs.kind
    job_name = done.physical_resource_id
    owned = False
    if kind.status_member is None:
        status = ""  # a workload configuration: nothing runs, nothing to stop
        reason = ""
    elif existing.status in kind.stopping:
        status = _wait_stopped(job_name, jobs, recheck, log, kind)
        reason = _stopped_reason(job_name, status, kind)
    elif existing.status in kind.finished:
        status = existing.status
        reason = f"{_subject(kind, job_name)} is {status}"
    else:
        if not _owned(existing, jobs, owner, log):
            return _not_ours(done, kind)
        owned = True
        status, reason = _stop_running(job_name, jobs, log, recheck, kind)
    if kind.delete is None or status == _GONE:
        return dataclasses.replace(done, reason=reason)
    if kind.status_member is not None and status not in kind.ended:
        log.decision("delete", "not-ended", status=status)
        return dataclasses.replace(
            done,
            reason=f"{reason}; not deleted: SageMaker deletes only a job that has ended",
        )
    if not owned and not _owned(existing, jobs, owner, log):
        return _not_ours(done, kind)
    deleted = _delete_owned(job_name, jobs, log, recheck)
    both = f"{reason}; {deleted}" if reason else deleted[:1].upper() + deleted[1:]
    return dataclasses.replace(done, reason=both)


# The status ``_wait_stopped`` reports for a job SageMaker no longer knows.
_GONE: Final = "DELETED"


def _stop_running(
    job_name: str, jobs: Jobs, log: DecisionLog, recheck: Recheck, kind: Kind
) -> tuple[str, str]:
    """Stop the running job ``job_name``; return its status then and the reason to answer."""
    subject = _subject(kind, job_name)
    try:
        jobs.stop(job_name)
    except SageMakerError as error:
        if error.not_found:
            log.decision("stop", "not-found")
            return _GONE, f"{subject} does not exist"
        if error.code != "ValidationException":
            log.decision("stop", "failed", error_code=error.code)
            raise
        # What SageMaker says when a job can no longer be stopped is not documented (the API
        # reference of StopInferenceRecommendationsJob names no such error), so its wording
        # decides nothing: Describe says whether the job still runs.
        again = jobs.describe(job_name)
        if again is not None and again.status not in kind.stopping | kind.finished:
            log.decision("stop", "failed", error_code=error.code, status=again.status)
            raise
        log.decision("stop", "not-running", error_code=error.code)
        status = _GONE if again is None else again.status
        if status in kind.stopping and kind.delete is not None:  # to delete it once stopped
            status = _wait_stopped(job_name, jobs, recheck, log, kind)
        return status, f"{subject} no longer runs"
    log.decision("stop", "stopping")
    status = _wait_stopped(job_name, jobs, recheck, log, kind)
    return status, _stopped_reason(job_name, status, kind)


def _delete_owned(name: str, jobs: Jobs, log: DecisionLog, recheck: Recheck) -> str:
    """Delete ``name`` (ours, ended); return the reason to answer. Never refuses the Delete.

    A workload configuration an active job still uses cannot be deleted ("You cannot delete a
    configuration that is referenced by an active benchmark job": API_DeleteAIWorkloadConfig,
    which declares ResourceInUse). Such a job is usually one of this stack's, stopping: the
    Delete tries again within its budget. A configuration still in use then is left in place,
    and the answer says so: it costs nothing, nothing is lost (it keeps its owner tag), and a
    FAILED answer would leave a stack delete or a rollback stuck on it.
    """
    kind = jobs.kind
    subject = _subject(kind, name)
    tries = 0
    while True:
        tries += 1
        try:
            jobs.delete(name)
        except SageMakerError as error:
            if error.not_found:
                log.decision("delete", "not-found")
                return f"{subject} does not exist"
            left = recheck.stop_until - recheck.clock()
            if error.code == "ResourceInUse" and left > 0:
                log.decision("delete", "in-use", attempt=tries)
                recheck.sleep(min(recheck.stop_interval, left))
                continue
            if error.code not in {"ResourceInUse", "ValidationException"}:
                log.decision("delete", "failed", error_code=error.code)
                raise
            # In use (still, at the end of the budget), or a job SageMaker will not delete yet:
            # left in place, as a job still stopping is.
            log.decision("delete", "left", level=logging.WARNING, error_code=error.code)
            return f"{subject} left in place: SageMaker refused to delete it: {error.message}"
        log.decision("delete", "deleted", attempts=tries)
        return f"deleted {kind.noun} {name}"


def _stopped_reason(job_name: str, status: str, kind: Kind = CLASSIC) -> str:
    if status in kind.stopping:
        return f"Stopping {kind.noun} {job_name}"  # the log line says it was still stopping
    return f"Stopped {kind.noun} {job_name} ({status})"


def _wait_stopped(
    job_name: str, jobs: Jobs, recheck: Recheck, log: DecisionLog, kind: Kind = CLASSIC
) -> str:
    """Wait, within ``recheck``, for a stopping job to stop; return its status then.

    Inference Recommender deletes its benchmark endpoints with the job's role; answering at
    once would let CloudFormation delete that role (and security groups) while it still works.
    So the answer waits until the job has stopped, for as long as the invocation's budget
    allows (the handler runs five minutes; a job stops within about a minute). A job still
    stopping then is left to finish on its own. An AI job is deleted only once it has stopped.
    """
    status = next(iter(kind.stopping), "")
    # A job to delete once stopped gets one look even when the Stop used up the window (a slow
    # Stop must not leave a job that stopped at once undeleted), as a late Create gets one.
    looks, least = 0, 0 if kind.delete is None else 1
    while status in kind.stopping and (
        (left := recheck.stop_until - recheck.clock()) > 0 or looks < least
    ):
        recheck.sleep(min(recheck.stop_interval, max(0.0, left)))
        looks += 1
        found = jobs.describe(job_name)
        status = _GONE if found is None else found.status
    still = status in kind.stopping
    log.decision("stop", "still-stopping" if still else "stopped", status=status)
    return status


def _until_stopped(
    job_name: str, jobs: Jobs, recheck: Recheck, log: DecisionLog, kind: Kind = CLASSIC
) -> str:
    """Wait, within ``recheck``, for a stopping job to stop; return the reason to answer."""
    return _stopped_reason(job_name, _wait_stopped(job_name, jobs, recheck, log, kind), kind)


def _bound(log: DecisionLog, progress: Progress) -> DecisionLog:
    return log.bind(physical_resource_id=progress.physical_resource_id, job_name=progress.job_name)


def _required(properties: Properties | None) -> Properties:
    if properties is None:  # pragma: no cover - parse_event gives Create and Update properties
        raise EventError("ResourceProperties: missing from the event")
    return properties


def run(
    event: CfnEvent,
    jobs: Jobs,
    progress: Progress,
    log: DecisionLog,
    recheck: Recheck = NO_RECHECK,
) -> Outcome:
    """Do what ``event`` asks; every failure of SageMaker or of the input becomes FAILED.

    ``recheck`` says how long a Delete that finds no job looks again for one (see above).
    """
    try:
        if event.request_type is RequestType.DELETE:
            return _delete(event, jobs, _bound(log, progress), recheck)
        properties = _required(event.properties)
        if event.request_type is RequestType.CREATE:
            return _create(event, properties, jobs, progress, log)
        return _update(event, properties, jobs, progress, log)
    except SageMakerError as error:
        job_name = progress.job_name or progress.physical_resource_id
        return _failed(
            progress.physical_resource_id,
            sagemaker_reason(error, job_name, jobs.kind),
            progress.job_name,
        )
    except (EventError, RequestError) as error:
        return _failed(progress.physical_resource_id, str(error), progress.job_name)


def run_guarded(
    event: CfnEvent,
    jobs: Callable[[], Jobs],
    progress: Progress,
    log: DecisionLog,
    recheck: Recheck = NO_RECHECK,
) -> Outcome:
    """Like ``run``, with ``jobs`` built inside; never raises (for the worker thread)."""
    try:
        return run(event, jobs(), progress, log, recheck)
    except Cancelled:
        _bound(log, progress).decision("work", "cancelled", level=logging.WARNING)
        return _failed(progress.physical_resource_id, "cancelled", progress.job_name)
    except Exception as error:  # noqa: BLE001 (turned into the FAILED answer)
        physical_resource_id, job_name = progress.snapshot()
        _bound(log, progress).exception("work", error)
        return _failed(
            physical_resource_id,
            f"Unexpected error in the infrec-cdk handler: {type(error).__name__}: {error}",
            job_name,
        )


def invalid_event(envelope: Envelope, error: EventError, log: DecisionLog) -> Outcome:
    """Answer an event that does not parse: FAILED, naming the property.

    No job was started for it; a Delete keeps its physical id, anything else gets the marker.
    """
    log.decision("parse", "invalid", error=str(error))
    physical_resource_id = envelope.physical_resource_id
    if envelope.request_type != RequestType.DELETE.value or not physical_resource_id:
        physical_resource_id = names.no_job_marker(envelope.digest)
    return _failed(physical_resource_id, str(error))


def _seconds(value: float) -> str:
    value = max(0.0, value)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"  # noqa: PLR2004 (tenths below 10 s)


def _timed_out_advice(kind: Kind, *, deleting: bool) -> str:
    if kind.stop is None:
        if deleting:
            return f"The {kind.noun} may still exist: check it, delete it if needed, and retry."
        return f"A {kind.noun} created anyway is deleted by the Delete that follows; deploy again."
    if deleting:
        return "The job may still run: check it, stop it if needed, and retry."
    ends = "stopped" if kind.delete is None else "stopped and deleted"
    return f"A job that started anyway is {ends} by the Delete that follows; deploy again."


def timed_out(event: CfnEvent, progress: Progress, budget: float, log: DecisionLog) -> Outcome:
    """Answer the work that did not finish within ``budget`` seconds."""
    physical_resource_id, job_name = progress.snapshot()
    log.bind(physical_resource_id=physical_resource_id, job_name=job_name).decision(
        "wait", "timed-out", level=logging.ERROR, budget_seconds=round(budget, 1)
    )
    kind = event.kind
    about = f" about {kind.noun} {job_name}" if job_name else ""
    advice = _timed_out_advice(kind, deleting=event.request_type is RequestType.DELETE)
    return _failed(
        physical_resource_id,
        f"SageMaker did not answer within {_seconds(budget)} s{about}. {advice}",
        job_name,
    )
