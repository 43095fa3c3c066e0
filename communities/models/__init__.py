"""Communities of practice: profiles, communities, memberships, threads, posts, good practice."""

from communities.models.accounts import AccountEmail, EmailConfirmation, SignInThrottle
from communities.models.communities import (
    CommunityIndexPage,
    CommunityPage,
    CommunityTag,
    Visibility,
)
from communities.models.data_alerts import (
    DataAlertSettings,
    DataFollow,
    FiguresRelease,
    LinkedMeasure,
)
from communities.models.good_practice import (
    GoodPracticeIndexPage,
    GoodPracticePage,
    GoodPracticeTag,
)
from communities.models.membership_workflow import Invitation, JoinRequest
from communities.models.memberships import Membership
from communities.models.moderation import Flag, ModerationAction
from communities.models.notifications import (
    EmailFrequency,
    Notification,
    NotificationSettings,
    Watch,
    WatchLevel,
)
from communities.models.profiles import ExpertiseTag, Profile, ProfileVisibility
from communities.models.proposals import CommunityProposal
from communities.models.related import RelatedContent
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
    "RelatedContent",
    "AccountEmail",
    "SignInThrottle",
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

from communities.models.good_practice import (
    GoodPracticeReviewTask,
    PracticeStatus,
    ReuseLicence,
    SavingsPeriod,
)
from communities.models.reuse import Adoption, GoodPracticeDiscussion, HelpedSignal
from communities.models.service_areas import ServiceArea

__all__ += [
    "DataAlertSettings",
    "DataFollow",
    "FiguresRelease",
    "LinkedMeasure",
    "Adoption",
    "GoodPracticeDiscussion",
    "GoodPracticeReviewTask",
    "HelpedSignal",
    "PracticeStatus",
    "ReuseLicence",
    "SavingsPeriod",
    "ServiceArea",
]
