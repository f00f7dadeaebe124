"""Words English uses in two senses carry a context, so each language can say them its own way:
"Plan" is a subscription plan or a representative's monthly work plan; "Done" is a held visit or a
finished job. The Azerbaijani catalogue is given the translations of each sense for the test."""

from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import trans_real

from appointments.models import Appointment
from master_admin.models import JobRun
from subscription.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def az_catalogue():
    """Azerbaijani, with each sense of "Plan" and "Done" translated as a translator would."""
    catalogue = trans_real.translation("az")._catalog._catalogs[0]
    words = {
        "Plan": "Tarif planı",
        "work plan\x04Plan": "İş planı",
        "Done": "Keçirilib",
        "job state\x04Done": "Tamamlandı",
    }
    with mock.patch.dict(catalogue, words):
        yield


def in_azerbaijani(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "az"
    return client


def test_a_finished_job_and_a_held_visit_are_said_apart(az_catalogue):
    with translation.override("az"):
        assert str(Job.State.DONE.label) == "Tamamlandı"
        assert str(JobRun.Result.OK.label) == "Tamamlandı"
        assert str(Appointment.Status.DONE.label) == "Keçirilib"


def test_the_master_admins_job_list_says_a_job_is_finished(az_catalogue, superuser_client):
    JobRun.objects.create(task_id="t1", name="scheduled_backups", result=JobRun.Result.OK, started_at=timezone.now())
    page = in_azerbaijani(superuser_client).get(reverse("master_admin:job-list")).text
    assert "Tamamlandı" in page
    assert "Keçirilib" not in page


def test_the_monthly_plans_report_heads_its_column_with_the_work_plan(az_catalogue, acme, member, login):
    page = in_azerbaijani(login(member("manager", acme))).get(reverse("reports:report-detail", args=["plan_done"])).text
    assert '<th scope="col">İş planı</th>' in page
    assert "Tarif planı" not in page
