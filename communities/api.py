"""The communities app's part of the JSON API, assembled from its wings' routers:
/api/communities/…, /api/threads/… (discussions), /api/communities/<slug>/memberships and
/api/me/… (people), /api/good-practice/… (good practice)."""

from __future__ import annotations

from ninja import Router

from communities.discussions.api import router as discussions_router
from communities.good_practice.api import router as good_practice_router
from communities.people.api import router as people_router

router = Router()
router.add_router("", discussions_router)
router.add_router("", people_router)
router.add_router("/good-practice", good_practice_router)
