import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from doctors.models import Doctor
from doctors.tests.factories import DoctorFactory
from subscription.middleware import TenantMiddleware
from subscription.models import Subscription, UserProfile
from subscription.tenancy import current_tenant, use_tenant

pytestmark = pytest.mark.django_db


def request_as(user, path="/doctors/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = SessionStore()
    return request


def doctor_codes(request):
    return HttpResponse(",".join(Doctor.objects.order_by("code").values_list("code", flat=True)))


def test_it_selects_the_users_company_for_the_view_and_restores_after(acme, globex, member):
    with use_tenant(acme):
        DoctorFactory(code="ACME-1")
    with use_tenant(globex):
        DoctorFactory(code="GLOBEX-1")
    response = TenantMiddleware(doctor_codes)(request_as(member("manager", acme)))
    assert response.content == b"ACME-1"
    assert current_tenant() is None
    response = TenantMiddleware(doctor_codes)(request_as(member("manager", globex)))
    assert response.content == b"GLOBEX-1"


def test_the_context_is_restored_even_when_the_view_raises(acme, member):
    def boom(request):
        assert current_tenant() == acme
        raise ValueError("view failed")

    with pytest.raises(ValueError):
        TenantMiddleware(boom)(request_as(member("manager", acme)))
    assert current_tenant() is None


def test_a_streaming_body_runs_inside_the_company(acme, member):
    with use_tenant(acme):
        DoctorFactory(code="STREAMED")

    def stream(request):
        return StreamingHttpResponse(code for code in Doctor.objects.values_list("code", flat=True))

    response = TenantMiddleware(stream)(request_as(member("manager", acme)))
    assert current_tenant() is None
    assert b"".join(response.streaming_content) == b"STREAMED"
    assert current_tenant() is None


def test_anonymous_and_companyless_users_get_no_company(acme, member, client):
    seen = []

    def view(request):
        seen.append((request.tenant, current_tenant()))
        return HttpResponse("ok")

    response = TenantMiddleware(view)(request_as(AnonymousUser()))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/doctors/")
    TenantMiddleware(view)(request_as(AnonymousUser(), path="/accounts/login/"))
    assert seen == [(None, None)]
    response = TenantMiddleware(view)(request_as(member("manager", None)))
    assert response.status_code == 403
    assert b"not part of any company" in response.content


def test_an_inactive_company_gets_a_clear_page(acme, member):
    acme.is_active = False
    acme.save()
    response = TenantMiddleware(doctor_codes)(request_as(member("manager", acme)))
    assert response.status_code == 403
    assert b"deactivated" in response.content


def test_a_lapsed_subscription_is_read_only_then_blocked(acme, member):
    import datetime

    subscription = acme.current_subscription()
    subscription.status = Subscription.Status.PAST_DUE
    subscription.ends_on = datetime.date.today() - datetime.timedelta(days=3)
    subscription.save()
    user = member("manager", acme)
    assert TenantMiddleware(doctor_codes)(request_as(user)).status_code == 200
    post = RequestFactory().post("/doctors/add/")
    post.user, post.session = user, SessionStore()
    response = TenantMiddleware(doctor_codes)(post)
    assert response.status_code == 403
    assert b"read-only" in response.content.lower() or b"changes are paused" in response.content
    subscription.ends_on = datetime.date.today() - datetime.timedelta(days=60)
    subscription.save()
    response = TenantMiddleware(doctor_codes)(request_as(user))
    assert response.status_code == 403
    assert b"subscription has ended" in response.content


def test_a_company_whose_database_is_behind_gets_a_maintenance_page(acme, member):
    acme.schema_state.tenant_migration_key = "an-older-state"
    acme.schema_state.save()
    response = TenantMiddleware(doctor_codes)(request_as(member("manager", acme)))
    assert response.status_code == 503
    assert b"being updated" in response.content


def test_a_superuser_without_impersonation_is_pointed_to_master_admin(superuser):
    response = TenantMiddleware(doctor_codes)(request_as(superuser))
    assert response.status_code == 403
    assert b"/master-admin/" in response.content


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_two_companies_never_see_each_other(company_factory, member):
    acme, globex = company_factory(), company_factory()
    with use_tenant(acme):
        DoctorFactory.create_batch(3, last_name="Acme")
    with use_tenant(globex):
        DoctorFactory.create_batch(2, last_name="Globex")
    users = {acme.slug: member("rep", acme), globex.slug: member("rep", globex)}
    UserProfile.objects.filter(user__in=users.values()).update(role="representative")

    def names(request):
        return HttpResponse(",".join(sorted(set(Doctor.objects.values_list("last_name", flat=True)))))

    middleware = TenantMiddleware(names)
    expected = {acme.slug: b"Acme", globex.slug: b"Globex"}
    failures = []

    def worker(slug):
        for _ in range(40):
            body = middleware(request_as(users[slug])).content
            if body != expected[slug] or current_tenant() is not None:
                failures.append((slug, body))

    threads = [threading.Thread(target=worker, args=(slug,)) for slug in (acme.slug, globex.slug) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_request_leaves_no_company_connection_open(acme, member):
    from django.db import connections

    response = TenantMiddleware(doctor_codes)(request_as(member("manager", acme)))
    assert response.status_code == 200
    assert getattr(connections._connections, acme.database_alias, None) is None
