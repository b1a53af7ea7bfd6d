"""The one way the portal sends e-mail: `mail_send` queues a Celery task once the current transaction
commits, and the task sends through Django's mail settings, retrying on SMTP and network errors.

A change that is rolled back sends nothing, and no SMTP round trip happens while a transaction (and its row
locks) is open. Outside a transaction the message is queued at once. Every sender in the project goes
through here (tests/core/test_mail.py checks that no other module calls Django's mail functions)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【忻州市科技局】"


def mail_send(*, subject: str, body: str, recipients: Sequence[str]) -> bool:
    """Send one message to `recipients` (empty addresses skipped) after the current transaction commits.
    Returns whether a message was scheduled."""
    addresses = list(dict.fromkeys(address for address in recipients if address))
    if not addresses:
        return False
    transaction.on_commit(partial(_enqueue, f"{SUBJECT_PREFIX}{subject}", body, addresses))
    return True


def _enqueue(subject: str, body: str, recipients: list[str]) -> None:
    """Hand the message to the worker. A broker outage or a message that failed every retry (eager mode)
    is logged: the change it reports has been committed and stays."""
    from .tasks import send_mail_message

    try:
        send_mail_message.delay(subject, body, recipients)
    except Exception:
        logger.exception("e-mail not sent: %s", subject)
