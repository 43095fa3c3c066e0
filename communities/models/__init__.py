"""Communities of practice: profiles, communities, memberships, threads, posts, good practice."""

from communities.models.accounts import EmailConfirmation
from communities.models.communities import (
    CommunityIndexPage,
    CommunityPage,
    CommunityTag,
    Visibility,
)
from communities.models.good_practice import (
    GoodPracticeIndexPage,
    GoodPracticePage,
    GoodPracticeTag,
)
from communities.models.memberships import Membership
from communities.models.moderation import Flag, Invitation, JoinRequest, ModerationAction
from communities.models.profiles import ExpertiseTag, Profile, ProfileVisibility
from communities.models.proposals import CommunityProposal
from communities.models.threads import Post, ThreadPage, ThreadTag

__all__ = [
    "CommunityIndexPage",
    "CommunityPage",
    "CommunityProposal",
    "EmailConfirmation",
    "CommunityTag",
    "ExpertiseTag",
    "Flag",
    "GoodPracticeIndexPage",
    "GoodPracticePage",
    "GoodPracticeTag",
    "Invitation",
    "JoinRequest",
    "Membership",
    "ModerationAction",
    "Post",
    "Profile",
    "ProfileVisibility",
    "ThreadPage",
    "ThreadTag",
    "Visibility",
]
