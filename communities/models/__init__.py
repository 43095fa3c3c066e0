"""Communities of practice: profiles, communities, memberships, threads, posts, good practice."""

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
from communities.models.notifications import (
    EmailFrequency,
    Notification,
    NotificationSettings,
    Watch,
    WatchLevel,
)
from communities.models.profiles import ExpertiseTag, Profile, ProfileVisibility
from communities.models.threads import (
    Attachment,
    HelpfulVote,
    Post,
    PostRevision,
    ThreadPage,
    ThreadTag,
)
from communities.models.tokens import PersonalToken

__all__ = [
    "Attachment",
    "EmailFrequency",
    "HelpfulVote",
    "Notification",
    "NotificationSettings",
    "PersonalToken",
    "PostRevision",
    "Watch",
    "WatchLevel",
    "CommunityIndexPage",
    "CommunityPage",
    "CommunityTag",
    "ExpertiseTag",
    "GoodPracticeIndexPage",
    "GoodPracticePage",
    "GoodPracticeTag",
    "Membership",
    "Post",
    "Profile",
    "ProfileVisibility",
    "ThreadPage",
    "ThreadTag",
    "Visibility",
]
