"""Factories that build test data through the same services as real use."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.db.models import Exists
from wagtail.models import WorkflowPage

from communities.discussions.services.threads import do_reply, do_start_thread
from communities.models import CommunityIndexPage, GoodPracticeIndexPage, Visibility
from communities.people.services.communities import do_add_member, do_create_community
from communities.people.services.profiles import do_create_member
from hub.models import HomePage
from hub.services.site import ensure_site_tree
from linkeddata.models import Area

PASSWORD = "correct-horse-battery"


def site_tree() -> HomePage:
    """The hub's page tree (home page, indexes, library workflow), built by ``ensure_site_tree`` when
    any part is missing; when the run's tree is there (``tests/conftest.py`` builds it once), one query
    finds it instead of ``ensure_site_tree``'s idempotent checks, which run dozens of queries per call."""
    home = HomePage.objects.filter(
        Exists(CommunityIndexPage.objects.all()),
        Exists(WorkflowPage.objects.filter(page__in=GoodPracticeIndexPage.objects.all())),
    ).first()
    return home if home is not None else ensure_site_tree()


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    gss_code = factory.Sequence(lambda n: f"E0690{n:04d}")
    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    short_name = factory.Sequence(lambda n: f"Testshire {n}")
    authority_type = "UA"
    authority_type_name = "Unitary authority"
    nation = "England"
    region = "North East"


class UserFactory(factory.Factory):
    """A member with a profile; ``UserFactory(is_staff=True)`` for site staff."""

    class Meta:
        model = dict

    email = factory.Sequence(lambda n: f"officer{n}@council{n}.example.gov.uk")
    display_name = factory.Sequence(lambda n: f"Officer {n}")
    job_title = "Policy Officer"
    password = PASSWORD
    is_staff = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return do_create_member(**kwargs)


class CommunityFactory(factory.Factory):
    class Meta:
        model = dict

    title = factory.Sequence(lambda n: f"Community {n}")
    description = factory.LazyAttribute(
        lambda o: f"A community of practice about {o.title.lower()}."
    )
    visibility = Visibility.OPEN
    owner = None
    tags = ()

    @classmethod
    def _create(cls, model_class, **kwargs):
        site_tree()
        return do_create_community(index=CommunityIndexPage.objects.get(), **kwargs)


class ThreadFactory(factory.Factory):
    class Meta:
        model = dict

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"How do other councils handle question {n}?")
    body = "We are reviewing our approach. What has worked for you?"
    tags = ()

    @classmethod
    def _create(cls, model_class, **kwargs):
        do_add_member(kwargs["community"], kwargs["author"])
        return do_start_thread(**kwargs)


class PostFactory(factory.Factory):
    class Meta:
        model = dict

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Here is what we did, and what it cost."

    @classmethod
    def _create(cls, model_class, **kwargs):
        return do_reply(**kwargs)


class MembershipFactory(factory.Factory):
    """A membership in any state (``status="pending"``, ``"invited"``, ``"banned"``, ``"left"``)."""

    class Meta:
        model = dict

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"
    status = "active"

    @classmethod
    def _create(cls, model_class, **kwargs):
        from communities.models import Membership

        membership = do_add_member(kwargs["community"], kwargs["user"], role=kwargs["role"])
        if kwargs["status"] != Membership.Status.ACTIVE:
            Membership.objects.filter(pk=membership.pk).update(status=kwargs["status"])
            membership.refresh_from_db()
        return membership


# -- Good practice ----------------------------------------------------------------------------

GOOD_PRACTICE_EDITOR_EMAIL = "library.editor@hub.example.gov.uk"


def good_practice_editor():
    """A member of the "Good practice editors" group (created once per test)."""
    from django.contrib.auth.models import Group

    from communities.permissions import GOOD_PRACTICE_EDITORS

    site_tree()
    user = get_user_model().objects.filter(username=GOOD_PRACTICE_EDITOR_EMAIL).first()
    if user is None:
        user = do_create_member(
            email=GOOD_PRACTICE_EDITOR_EMAIL, password=PASSWORD, display_name="Library Editor"
        )
        user.groups.add(Group.objects.get(name=GOOD_PRACTICE_EDITORS))
    return user


def service_area(path: str):
    """The service area "Parent › Child" from the starting vocabulary (or created for the test)."""
    from communities.models import ServiceArea

    site_tree()
    parent_name, _, child_name = path.partition(" › ")
    parent = ServiceArea.objects.get_or_create(parent=None, name=parent_name)[0]
    return (
        ServiceArea.objects.get_or_create(parent=parent, name=child_name)[0]
        if child_name
        else parent
    )


class GoodPracticeFactory(factory.Factory):
    """A case study submitted through the front-end service; published by an editor unless
    ``publish=False`` (then a draft, sent for review when ``submit=True``)."""

    class Meta:
        model = dict

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Case study {n}: what worked")
    summary = "What we did and what it achieved."
    problem = "The service cost too much and residents waited too long."
    approach = "We redesigned the process with the people who use it."
    outcomes = "Waiting times halved and costs fell."
    councils = factory.LazyFunction(lambda: [AreaFactory()])
    service_areas = ()
    tags = ()
    publish = True
    submit = False

    @classmethod
    def _create(cls, model_class, publish, submit, author, **data):
        from communities.good_practice.services import (
            do_create_good_practice,
            do_review_good_practice,
        )
        from communities.models import GoodPracticePage

        site_tree()
        page = do_create_good_practice(author=author, data=data, submit=publish or submit)
        if publish:
            do_review_good_practice(page, good_practice_editor(), approve=True)
        return GoodPracticePage.objects.get(pk=page.pk)
