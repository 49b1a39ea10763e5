"""The xAPI 1.0.3 rules a statement must satisfy, as a validator for the tests.

Covers the required properties and formats of the specification's Data section:
UUID ids, an Agent actor identified by exactly one inverse functional identifier
(here an account with an absolute homePage IRL and a name), a verb with an IRI id
and language-map display, an Activity object with an absolute IRI id and a
definition whose name is a language map, results within their ranges, context
activities as arrays, a registration UUID, ISO 8601 timestamps with a zone.
"""

import datetime as dt
import re
import uuid
from urllib.parse import urlsplit

ALLOWED_TOP = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
# ISO 8601 durations as xAPI uses them (time parts only after "T"; at least one part).
DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?"
    r"(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
ISO_ZONED = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def _iri(value, where, errors):
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or not parts.scheme or not (parts.netloc or parts.path):
        errors.append(f"{where}: not an absolute IRI: {value!r}")


def _language_map(value, where, errors):
    if not isinstance(value, dict) or not value:
        errors.append(f"{where}: not a language map")
        return
    for tag, text in value.items():
        if not LANGUAGE_TAG.match(tag) or not isinstance(text, str):
            errors.append(f"{where}: bad entry {tag!r}")


def _uuid(value, where, errors):
    try:
        parsed = uuid.UUID(value)
    except (TypeError, ValueError):
        errors.append(f"{where}: not a UUID: {value!r}")
        return
    if str(parsed) != value.lower():
        errors.append(f"{where}: not in canonical form")


def _actor(actor, errors):
    if not isinstance(actor, dict):
        errors.append("actor: missing")
        return
    if actor.get("objectType", "Agent") != "Agent":
        errors.append("actor: objectType must be Agent")
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        errors.append("actor: exactly one inverse functional identifier")
    account = actor.get("account")
    if account is not None:
        if set(account) != {"homePage", "name"}:
            errors.append("actor.account: needs homePage and name only")
        _iri(account.get("homePage"), "actor.account.homePage", errors)
        if not isinstance(account.get("name"), str) or not account.get("name"):
            errors.append("actor.account.name: missing")


def _verb(verb, errors):
    if not isinstance(verb, dict) or "id" not in verb:
        errors.append("verb: missing id")
        return
    _iri(verb["id"], "verb.id", errors)
    if "display" in verb:
        _language_map(verb["display"], "verb.display", errors)


def _object(obj, errors, where="object"):
    if not isinstance(obj, dict) or "id" not in obj:
        errors.append(f"{where}: missing id")
        return
    if obj.get("objectType", "Activity") != "Activity":
        errors.append(f"{where}: objectType must be Activity")
    _iri(obj["id"], f"{where}.id", errors)
    definition = obj.get("definition", {})
    if "name" in definition:
        _language_map(definition["name"], f"{where}.definition.name", errors)
    if "type" in definition:
        _iri(definition["type"], f"{where}.definition.type", errors)


def _score(score, errors):
    scaled = score.get("scaled")
    if scaled is not None and not -1 <= scaled <= 1:
        errors.append("result.score.scaled: outside -1..1")
    low, high, raw = score.get("min"), score.get("max"), score.get("raw")
    if low is not None and high is not None and low > high:
        errors.append("result.score: min above max")
    if raw is not None:
        if low is not None and raw < low or high is not None and raw > high:
            errors.append("result.score.raw: outside min..max")


def _result(result, errors):
    if not isinstance(result, dict):
        errors.append("result: not an object")
        return
    for flag in ("success", "completion"):
        if flag in result and not isinstance(result[flag], bool):
            errors.append(f"result.{flag}: not a boolean")
    if "score" in result:
        _score(result["score"], errors)
    if "duration" in result and not DURATION.match(str(result["duration"])):
        errors.append(
            f"result.duration: not an ISO 8601 duration: {result['duration']!r}"
        )
    for key in result.get("extensions", {}):
        _iri(key, "result.extensions", errors)


def _context(context, errors):
    if "registration" in context:
        _uuid(context["registration"], "context.registration", errors)
    for kind, activities in context.get("contextActivities", {}).items():
        if kind not in ("parent", "grouping", "category", "other"):
            errors.append(f"context.contextActivities: unknown key {kind}")
        if not isinstance(activities, list):
            errors.append(f"context.contextActivities.{kind}: not an array")
            continue
        for activity in activities:
            _object(activity, errors, f"context.contextActivities.{kind}")
    for key in context.get("extensions", {}):
        _iri(key, "context.extensions", errors)


def statement_errors(statement: dict) -> list[str]:
    errors = []
    unknown = set(statement) - ALLOWED_TOP
    if unknown:
        errors.append(f"unknown properties {sorted(unknown)}")
    _uuid(statement.get("id"), "id", errors)
    _actor(statement.get("actor"), errors)
    _verb(statement.get("verb"), errors)
    _object(statement.get("object"), errors)
    if "result" in statement:
        _result(statement["result"], errors)
    if "context" in statement:
        _context(statement["context"], errors)
    stamp = statement.get("timestamp")
    if not isinstance(stamp, str) or not ISO_ZONED.match(stamp):
        errors.append(f"timestamp: not ISO 8601 with a zone: {stamp!r}")
    else:
        dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    version = statement.get("version", "1.0.0")
    if not re.match(r"^1\.0(\.\d+)?$", version):
        errors.append("version: must be 1.0.x")
    return errors
