from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        audit_event_record(
            event_type=AuditEvent.Type.PERMISSION_DENIED,
            request=request,
            outcome=AuditEvent.Outcome.FAILURE,
            object_repr=request.path[:255],
        )
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    from kejiju.core.uploads import StoredFileMissing

    # Only a missing stored file says more than "not found": any other 404 may be a record the user may
    # not see, and must not say which.
    message = str(exception) if isinstance(exception, StoredFileMissing) else ""
    return render(request, "errors/404.html", {"message": message}, status=404)


def server_error(request):
    # No request context: whatever broke (the database, a context processor) must not break this page.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
